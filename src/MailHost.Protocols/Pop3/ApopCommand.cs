namespace MailHost.Protocols.Pop3;

/// <summary><c>APOP name digest</c> (RFC 1939 §7). Recognised so it can be refused; MailHost never offers it (it needs plain-text secrets on the server).</summary>
public sealed record ApopCommand(string Name, string Digest) : Pop3Command
{
    /// <inheritdoc/>
    public override Pop3CommandKind Kind => Pop3CommandKind.Apop;
}
