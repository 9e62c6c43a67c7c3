namespace MailHost.Certificates.Acme;

/// <summary>
/// An ACME request or order that failed: the server's problem document when it sent one (RFC 8555 §6.7), otherwise a
/// description of what was unexpected. The message is written for the operator's log as it is.
/// </summary>
internal sealed class AcmeException : Exception
{
    public AcmeException()
    {
    }

    public AcmeException(string message)
        : base(message)
    {
    }

    public AcmeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AcmeException(string message, AcmeProblem? problem)
        : base(problem is null ? message : message + ": " + problem) => Problem = problem;

    /// <summary>The server's problem document, if it sent one.</summary>
    public AcmeProblem? Problem { get; }
}
