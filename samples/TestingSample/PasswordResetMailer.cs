using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace TestingSample;

/// <summary>Where the application sends its mail: in production from configuration, in tests from MailTestServer.</summary>
/// <param name="Host">The SMTP server.</param>
/// <param name="Port">Its port.</param>
/// <param name="Sender">The From address of the application's mail.</param>
public sealed record SmtpSettings(string Host, int Port, string Sender);

/// <summary>The outcome of sending one password-reset mail, for the caller to show or log.</summary>
/// <param name="Sent">Whether a server accepted the message.</param>
/// <param name="Attempts">How many attempts it took.</param>
/// <param name="Error">The last server reply or error when not sent.</param>
public sealed record MailSendResult(bool Sent, int Attempts, string? Error);

/// <summary>
/// The application code under test: sends a password-reset link with MailKit and retries temporary failures
/// (4xx replies, RFC 5321 §4.2.1) a few times, but not permanent ones (5xx).
/// </summary>
public sealed class PasswordResetMailer(SmtpSettings settings, int maxAttempts = 3)
{
    public async Task<MailSendResult> SendResetLinkAsync(string recipient, Uri resetLink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resetLink);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.Sender));
        message.To.Add(MailboxAddress.Parse(recipient));
        message.Subject = "Reset your password";
        message.Body = new TextPart("plain") { Text = $"Open this link to choose a new password: {resetLink}" };

        string? error = null;
        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            try
            {
                using var client = new SmtpClient { Timeout = 10_000 };
                await client.ConnectAsync(settings.Host, settings.Port, SecureSocketOptions.None, cancellationToken);
                await client.SendAsync(message, cancellationToken);
                await client.DisconnectAsync(quit: true, cancellationToken);
                return new MailSendResult(true, attempt, null);
            }
            catch (SmtpCommandException ex) when ((int)ex.StatusCode is >= 400 and < 500)
            {
                error = ex.Message;
            }
            catch (SmtpCommandException ex)
            {
                return new MailSendResult(false, attempt, ex.Message);
            }
        }

        return new MailSendResult(false, maxAttempts, error);
    }
}
