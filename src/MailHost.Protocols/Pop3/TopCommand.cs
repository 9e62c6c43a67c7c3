namespace MailHost.Protocols.Pop3;

/// <summary><c>TOP msg n</c> (RFC 1939 §7): the header and <c>LineCount</c> body lines; send with <see cref="Text.DotStuffer"/> and <see cref="Text.DotStufferOptions.TopBodyLines"/>.</summary>
public sealed record TopCommand(int MessageNumber, int LineCount) : Pop3Command
{
    /// <inheritdoc/>
    public override Pop3CommandKind Kind => Pop3CommandKind.Top;
}
