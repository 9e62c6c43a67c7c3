namespace MailHost.Protocols.Pop3;

/// <summary><c>UIDL [msg]</c> (RFC 1939 §7).</summary>
public sealed record UidlCommand(int? MessageNumber) : Pop3Command
{
    /// <inheritdoc/>
    public override Pop3CommandKind Kind => Pop3CommandKind.Uidl;
}
