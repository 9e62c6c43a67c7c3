namespace MailHost.Protocols.Pop3;

/// <summary><c>USER name</c> (RFC 1939 §7). The name is client text: never echo it.</summary>
public sealed record UserCommand(string Name) : Pop3Command
{
    /// <inheritdoc/>
    public override Pop3CommandKind Kind => Pop3CommandKind.User;
}
