namespace MailHost.Protocols.Pop3;

/// <summary><c>RSET</c> (RFC 1939 §5): unmark messages marked deleted.</summary>
public sealed record RsetCommand : Pop3Command
{
    /// <summary>The one instance; the command has no arguments.</summary>
    public static Pop3Command Instance { get; } = new RsetCommand();

    /// <inheritdoc/>
    public override Pop3CommandKind Kind => Pop3CommandKind.Rset;
}
