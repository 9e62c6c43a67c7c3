namespace MailHost.Protocols.Smtp;

/// <summary>
/// <c>MAIL FROM:Reverse-path [SP Mail-parameters]</c> (RFC 5321 §4.1.1.2) with the parameters of the offered
/// extensions already parsed and validated.
/// </summary>
/// <param name="ReversePath">The sender, or <see cref="SmtpPath.Null"/>.</param>
public sealed record MailCommand(SmtpPath ReversePath) : SmtpCommand
{
    /// <summary><c>SIZE=</c> (RFC 1870), at most <see cref="SmtpParserOptions.MaxMessageSize"/>; <see langword="null"/> when absent.</summary>
    public long? Size { get; init; }

    /// <summary><c>BODY=</c> (RFC 6152, RFC 3030).</summary>
    public SmtpBodyType Body { get; init; }

    /// <summary>Whether <c>SMTPUTF8</c> was given (RFC 6531 §3.4): the transaction may use UTF-8 addresses and headers.</summary>
    public bool SmtpUtf8 { get; init; }

    /// <summary><c>RET=</c> (RFC 3461 §4.3).</summary>
    public SmtpDsnReturn Return { get; init; }

    /// <summary><c>ENVID=</c> xtext-decoded (RFC 3461 §4.4), at most 100 characters; <see langword="null"/> when absent.</summary>
    public string? EnvelopeId { get; init; }

    /// <summary>
    /// <c>AUTH=</c> xtext-decoded (RFC 4954 §5): the submitter's identity, <c>&lt;&gt;</c> for unknown; <see langword="null"/> when absent.
    /// </summary>
    public string? AuthMailbox { get; init; }

    /// <inheritdoc/>
    public override SmtpCommandKind Kind => SmtpCommandKind.Mail;
}
