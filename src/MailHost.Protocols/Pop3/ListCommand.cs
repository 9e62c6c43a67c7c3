namespace MailHost.Protocols.Pop3;

/// <summary><c>LIST [msg]</c> (RFC 1939 §5).</summary>
public sealed record ListCommand(int? MessageNumber) : Pop3Command
{
    /// <inheritdoc/>
    public override Pop3CommandKind Kind => Pop3CommandKind.List;
}
