using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailHost.Testing.Tests;

/// <summary>Messages and MailKit clients for the tests, each with a timeout so that no test can hang.</summary>
internal static class TestMail
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public static MimeMessage Message(string from, string to, string subject = "Hello")
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "Body of " + subject };
        return message;
    }

    public static async Task<SmtpClient> ConnectAsync(MailTestServer mail, int port, SecureSocketOptions security = SecureSocketOptions.None, int timeoutMs = 10_000)
    {
        var client = new SmtpClient { Timeout = timeoutMs, ServerCertificateValidationCallback = mail.ValidateServerCertificate };
        using var deadline = new CancellationTokenSource(Wait);
        await client.ConnectAsync(MailTestServer.Host, port, security, deadline.Token);
        return client;
    }

    public static async Task SendAsync(MailTestServer mail, MimeMessage message, int? port = null, SecureSocketOptions security = SecureSocketOptions.None)
    {
        using var client = await ConnectAsync(mail, port ?? mail.SmtpPort, security);
        using var deadline = new CancellationTokenSource(Wait);
        await client.SendAsync(message, deadline.Token);
        await client.DisconnectAsync(quit: true, deadline.Token);
    }
}
