namespace MailHost.Protocols.Pop3;

/// <summary><c>QUIT</c> (RFC 1939 §6): deletions happen only now, in the UPDATE state.</summary>
public sealed record QuitCommand : Pop3Command
{
    /// <summary>The one instance; the command has no arguments.</summary>
    public static Pop3Command Instance { get; } = new QuitCommand();

    /// <inheritdoc/>
    public override Pop3CommandKind Kind => Pop3CommandKind.Quit;
}
