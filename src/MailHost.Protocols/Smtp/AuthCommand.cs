namespace MailHost.Protocols.Smtp;

/// <summary><c>AUTH SP mechanism [SP initial-response]</c> (RFC 4954 §4). <c>Mechanism</c> is upper-cased; <c>InitialResponse</c> is the base64 text as sent (<c>=</c> for an empty response), or <see langword="null"/>; decode it with <see cref="Sasl.SaslWireFormat"/>.</summary>
public sealed record AuthCommand(string Mechanism, string? InitialResponse) : SmtpCommand
{
    /// <inheritdoc/>
    public override SmtpCommandKind Kind => SmtpCommandKind.Auth;
}
