namespace MailHost.Fuzz;

/// <summary>
/// A harness found the code under test breaking one of its contracts (a round trip that does not hold, a limit
/// exceeded, a malformed reply). Thrown so that afl-fuzz records the input as a crash.
/// </summary>
internal sealed class FuzzInvariantException : Exception
{
    public FuzzInvariantException()
    {
    }

    public FuzzInvariantException(string message)
        : base(message)
    {
    }

    public FuzzInvariantException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Throws when <paramref name="condition"/> is false.</summary>
    public static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new FuzzInvariantException(message);
        }
    }
}
