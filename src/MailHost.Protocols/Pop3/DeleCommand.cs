namespace MailHost.Protocols.Pop3;

/// <summary><c>DELE msg</c> (RFC 1939 §5).</summary>
public sealed record DeleCommand(int MessageNumber) : Pop3Command
{
    /// <inheritdoc/>
    public override Pop3CommandKind Kind => Pop3CommandKind.Dele;
}
