using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailHost.Accounts;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Server;
using MailHost.Server.Onboarding;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailHost.IntegrationTests.Onboarding;

/// <summary>
/// The real host (<see cref="MailHostServer.Build"/>) on 127.0.0.1 with every kind of mail endpoint on port 0, a
/// plain-text IMAP endpoint without TLS that must never be advertised, and the onboarding HTTP (and HTTPS) listener.
/// example.com has alice (alice@example.com) and an account whose name is not its address's local part.
/// </summary>
public sealed class OnboardingHost : IAsyncDisposable
{
    public const string Hostname = "mail.test";
    public const string AlicePassword = "alice-pw";
    public const string BobPassword = "bob-pw";

    private readonly TempDirectory _data;
    private readonly WebApplication _app;

    private OnboardingHost(TempDirectory data, WebApplication app)
    {
        _data = data;
        _app = app;
    }

    public IServiceProvider Services => _app.Services;

    public IReadOnlyList<MailListener> Listeners => Services.GetRequiredService<MailListenerRegistry>().Listeners;

    public Uri HttpBase => new($"http://127.0.0.1:{Services.GetRequiredService<OnboardingListeners>().HttpEndPoint!.Port}");

    public Uri HttpsBase => new($"https://127.0.0.1:{Services.GetRequiredService<OnboardingListeners>().HttpsEndPoint!.Port}");

    /// <summary>The certificate the mail endpoints present.</summary>
    public X509Certificate2 Certificate => Services.GetRequiredService<MailServerCertificate>().Find(null, null)!;

    public int PortOf(string endpoint) => Listeners.Single(l => l.Options.Name == endpoint).EndPoint!.Port;

    public static async Task<OnboardingHost> StartAsync(string loginIdentity = "AccountNameOrEmailAddress", bool https = false, params string[] extra)
    {
        var data = new TempDirectory();
        string[] args =
        [
            "--contentRoot=" + data.Path,
            "--MailHost:DataDirectory=" + data.Path,
            "--MailHost:Admin:Url=",
            "--MailHost:Hostname=" + Hostname,
            "--MailHost:Auth:LoginIdentity=" + loginIdentity,
            "--MailHost:Auth:PasswordIterations=" + PasswordRecord.MinimumIterations,
            "--MailHost:Auth:Throttle:Enabled=false",
            "--MailHost:Outbound:Enabled=false",
            "--MailHost:Endpoints:Imap:Url=imap://127.0.0.1:0",
            "--MailHost:Endpoints:Imap:Tls=Auto",
            "--MailHost:Endpoints:Imap:TlsDetectionTimeout=00:00:00.2",
            "--MailHost:Endpoints:Imaps:Url=imaps://127.0.0.1:0",
            "--MailHost:Endpoints:ImapPlain:Url=imap://127.0.0.1:0",
            "--MailHost:Endpoints:ImapPlain:Tls=None",
            "--MailHost:Endpoints:Pop3:Url=pop3://127.0.0.1:0",
            "--MailHost:Endpoints:Pop3:Tls=StartTls",
            "--MailHost:Endpoints:Pop3s:Url=pop3s://127.0.0.1:0",
            "--MailHost:Endpoints:Mx:Url=smtp://127.0.0.1:0",
            "--MailHost:Endpoints:Submission:Url=submission://127.0.0.1:0",
            "--MailHost:Endpoints:Submission:Tls=Auto",
            "--MailHost:Endpoints:Submission:TlsDetectionTimeout=00:00:00.2",
            "--MailHost:Endpoints:Submissions:Url=submissions://127.0.0.1:0",
            "--MailHost:Http:Url=http://127.0.0.1:0",
            .. https ? ["--MailHost:Http:HttpsUrl=https://127.0.0.1:0"] : Array.Empty<string>(),
            .. extra,
        ];
        WebApplication app;
        try
        {
            app = MailHostServer.Build(args, builder => builder.Logging.ClearProviders());
            await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch
        {
            data.Dispose();
            throw;
        }

        var host = new OnboardingHost(data, app);
        var admin = app.Services.GetRequiredService<IAccountAdministration>();
        (await admin.AddDomainAsync("example.com", CancellationToken.None)).Succeeded.Should().BeTrue();
        (await admin.AddDomainAsync("example.org", CancellationToken.None)).Succeeded.Should().BeTrue();
        (await admin.AddAccountAsync("alice", ["alice@example.com"], PasswordRecord.Create(AlicePassword, PasswordRecord.MinimumIterations), CancellationToken.None))
            .Succeeded.Should().BeTrue();
        (await admin.AddAccountAsync("robert", ["bob@example.com"], PasswordRecord.Create(BobPassword, PasswordRecord.MinimumIterations), CancellationToken.None))
            .Succeeded.Should().BeTrue();
        return host;
    }

    public HttpClient CreateHttpClient(Uri? baseAddress = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = ValidateCertificate },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress ?? HttpBase, Timeout = TimeSpan.FromSeconds(20) };
    }

    /// <summary>Trusts exactly the host's certificate, as a client would after the user accepted it.</summary>
    public bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        certificate is not null && certificate.GetCertHashString() == Certificate.GetCertHashString();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            await _app.DisposeAsync();
            _data.Dispose();
        }
    }
}
