namespace MailHost.Protocols.Smtp;

/// <summary>A line that looks like HTTP (ALPACA, SECURITY A6): a request method such as <c>GET</c>, <c>POST</c> or <c>CONNECT</c> as the command word, or a header field name ending in a colon. <c>Method</c> is the upper-case method, or <c>header</c>. Postfix answers <c>221 2.7.0</c> and closes.</summary>
public sealed record HttpRequestCommand(string Method) : SmtpCommand
{
    /// <inheritdoc/>
    public override SmtpCommandKind Kind => SmtpCommandKind.HttpRequest;
}
