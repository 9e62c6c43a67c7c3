namespace MailHost.Protocols.Pop3;

/// <summary>A command word the parser does not know. <c>Verb</c> is upper-case ASCII letters and digits, at most 16, or empty; never echo it.</summary>
public sealed record UnknownCommand(string Verb) : Pop3Command
{
    /// <inheritdoc/>
    public override Pop3CommandKind Kind => Pop3CommandKind.Unknown;
}
