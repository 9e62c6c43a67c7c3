namespace MailHost.Protocols.Pop3;

/// <summary><c>RETR msg</c> (RFC 1939 §5); send the message with <see cref="Text.DotStuffer"/>.</summary>
public sealed record RetrCommand(int MessageNumber) : Pop3Command
{
    /// <inheritdoc/>
    public override Pop3CommandKind Kind => Pop3CommandKind.Retr;
}
