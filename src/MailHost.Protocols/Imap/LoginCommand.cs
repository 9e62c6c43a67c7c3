namespace MailHost.Protocols.Imap;

/// <summary><c>LOGIN userid password</c> (RFC 9051 §6.2.3). Both strings are decoded as UTF-8.</summary>
public sealed record LoginCommand(string Tag, string UserName, string Password) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "LOGIN";
}
