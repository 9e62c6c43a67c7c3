namespace MailHost.Protocols.Smtp;

/// <summary><c>HELO SP Domain</c> (RFC 5321 §4.1.1.1). <c>ClientIdentity</c> is the argument as sent; <c>IdentityKind</c> says whether it follows the grammar.</summary>
public sealed record HeloCommand(string ClientIdentity, SmtpIdentityKind IdentityKind) : SmtpCommand
{
    /// <inheritdoc/>
    public override SmtpCommandKind Kind => SmtpCommandKind.Helo;
}
