namespace MailHost.Protocols.Smtp;

/// <summary>A command word the parser does not know (answer <c>500 5.5.1</c>). <c>Verb</c> is upper-case ASCII letters and digits, at most 16, or empty when the word had anything else: still never echo it.</summary>
public sealed record UnknownCommand(string Verb) : SmtpCommand
{
    /// <inheritdoc/>
    public override SmtpCommandKind Kind => SmtpCommandKind.Unknown;
}
