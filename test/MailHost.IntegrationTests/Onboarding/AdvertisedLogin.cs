using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace MailHost.IntegrationTests.Onboarding;

/// <summary>
/// Uses advertised settings as a client would: MailKit connects to the advertised port on 127.0.0.1 (the advertised
/// host name is checked separately; tests stay on loopback) with the advertised TLS mode, and logs in.
/// </summary>
public static class AdvertisedLogin
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static SecureSocketOptions TlsOf(string socketType) => socketType switch
    {
        "SSL" => SecureSocketOptions.SslOnConnect,
        "STARTTLS" => SecureSocketOptions.StartTls,
        _ => throw new InvalidOperationException($"socket type '{socketType}' must never be advertised"),
    };

    public static async Task ImapAsync(OnboardingHost host, int port, SecureSocketOptions tls, string user, string password)
    {
        using var client = new ImapClient { ServerCertificateValidationCallback = host.ValidateCertificate, Timeout = 15_000 };
        await client.ConnectAsync("127.0.0.1", port, tls).WaitAsync(Limit);
        client.IsSecure.Should().BeTrue();
        await client.AuthenticateAsync(user, password).WaitAsync(Limit);
        client.IsAuthenticated.Should().BeTrue();
        await client.DisconnectAsync(true).WaitAsync(Limit);
    }

    public static async Task Pop3Async(OnboardingHost host, int port, SecureSocketOptions tls, string user, string password)
    {
        using var client = new Pop3Client { ServerCertificateValidationCallback = host.ValidateCertificate, Timeout = 15_000 };
        await client.ConnectAsync("127.0.0.1", port, tls).WaitAsync(Limit);
        client.IsSecure.Should().BeTrue();
        await client.AuthenticateAsync(user, password).WaitAsync(Limit);
        client.IsAuthenticated.Should().BeTrue();
        await client.DisconnectAsync(true).WaitAsync(Limit);
    }

    public static async Task SmtpAsync(OnboardingHost host, int port, SecureSocketOptions tls, string user, string password)
    {
        using var client = new SmtpClient { ServerCertificateValidationCallback = host.ValidateCertificate, Timeout = 15_000 };
        await client.ConnectAsync("127.0.0.1", port, tls).WaitAsync(Limit);
        client.IsSecure.Should().BeTrue();
        await client.AuthenticateAsync(user, password).WaitAsync(Limit);
        client.IsAuthenticated.Should().BeTrue();
        await client.DisconnectAsync(true).WaitAsync(Limit);
    }
}
