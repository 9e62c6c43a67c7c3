using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MailHost.Certificates;
using MailHost.Certificates.Acme;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Server;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MailHost.Tests.Logins;

namespace MailHost.IntegrationTests.Acme;

/// <summary>
/// The real host (<see cref="MailHostServer.Build"/>) with ACME pointed at a <see cref="PebbleServer"/>: IMAPS (implicit
/// TLS), an MX endpoint with STARTTLS and a POP3 endpoint in <c>Auto</c> mode on port 0, and the HTTP and HTTPS
/// endpoints on the ports Pebble validates. Clients connect to 127.0.0.1 and ask for a name by SNI, accepting only a
/// chain to Pebble's root.
/// </summary>
public sealed class AcmeTestHost : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly WebApplication _app;

    private AcmeTestHost(WebApplication app, PebbleServer pebble, CapturingLoggerProvider logs)
    {
        _app = app;
        Pebble = pebble;
        Logs = logs;
    }

    public PebbleServer Pebble { get; }

    public CapturingLoggerProvider Logs { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Builds and starts the host; <paramref name="settings"/> are more <c>--Key=value</c> arguments.</summary>
    public static async Task<AcmeTestHost> StartAsync(PebbleServer pebble, string dataDirectory, string hostname, FakeTimeProvider? clock = null, params string[] settings)
    {
        var logs = new CapturingLoggerProvider();
        string[] args =
        [
            "--contentRoot=" + dataDirectory,
            "--MailHost:DataDirectory=" + dataDirectory,
            "--MailHost:Admin:Url=",
            "--MailHost:Hostname=" + hostname,
            "--MailHost:Outbound:Enabled=false",
            "--MailHost:Endpoints:Imaps:Url=imaps://127.0.0.1:0",
            "--MailHost:Endpoints:Mx:Url=smtp://127.0.0.1:0",
            "--MailHost:Endpoints:Mx:Tls=StartTls",
            "--MailHost:Endpoints:Pop3:Url=pop3://127.0.0.1:0",
            "--MailHost:Endpoints:Pop3:Tls=Auto",
            "--MailHost:Endpoints:Pop3:TlsDetectionTimeout=00:00:01",
            $"--MailHost:Http:Url=http://127.0.0.1:{pebble.HttpPort}",
            $"--MailHost:Http:HttpsUrl=https://127.0.0.1:{pebble.TlsPort}",
            "--MailHost:Certificates:Acme:DirectoryUrl=" + pebble.DirectoryUrl,
            "--MailHost:Certificates:Acme:DirectoryCertificate=" + pebble.TrustPath,
            "--MailHost:Certificates:Acme:AcceptTermsOfService=true",
            "--MailHost:Certificates:Acme:Email=postmaster@example.com",
            .. settings,
        ];
        var app = MailHostServer.Build(args, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
            builder.Logging.AddFilter("MailHost.Certificates", LogLevel.Debug);
            if (clock is not null)
            {
                builder.Services.AddKeyedSingleton<TimeProvider>(AcmeCertificateService.TimeProviderKey, clock);
            }
        });
        try
        {
            await app.StartAsync().WaitAsync(Bound);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new AcmeTestHost(app, pebble, logs);
    }

    public IPEndPoint EndPointOf(string endpoint) =>
        Services.GetRequiredService<MailListenerRegistry>().Listeners.Single(l => l.Options.Name == endpoint).EndPoint!;

    /// <summary>Waits for the <paramref name="count"/>th ACME certificate issued (event 1226) and returns the log entries of all.</summary>
    public async Task<IReadOnlyList<CapturedLog>> WaitForIssuedAsync(int count = 1)
    {
        try
        {
            await Logs.WaitForCountAsync(e => e.EventId.Id == 1226, count, Bound);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No ACME certificate was issued in time.\n--- host ---\n{LogText}\n--- pebble ---\n{Pebble.Output}");
        }

        return Logs.Entries.Where(e => e.EventId.Id == 1226).ToList();
    }

    /// <summary>Every host log entry of the ACME client and the certificate store, for failure messages.</summary>
    public string LogText => string.Join('\n', Logs.Entries.Where(e => e.Category.StartsWith("MailHost", StringComparison.Ordinal)).Select(e => $"{e.EventId.Id} {e.Level}: {e.Message}"));

    /// <summary>An IMAPS (implicit TLS) handshake asking for <paramref name="serverName"/>; the leaf served.</summary>
    public async Task<X509Certificate2> ImapsCertificateAsync(string serverName)
    {
        X509Certificate2? served = null;
        using var client = new ImapClient { ServerCertificateValidationCallback = Validate(c => served = c) };
        await client.ConnectAsync(await ConnectAsync("Imaps"), serverName, EndPointOf("Imaps").Port, SecureSocketOptions.SslOnConnect).WaitAsync(Bound);
        await client.DisconnectAsync(quit: true).WaitAsync(Bound);
        return served!;
    }

    /// <summary>A TLS handshake with the HTTPS onboarding endpoint, accepting only a chain to Pebble's root from what it sent; the leaf served.</summary>
    public async Task<X509Certificate2> HttpsCertificateAsync(string serverName)
    {
        X509Certificate2? served = null;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Pebble.TlsPort)).WaitAsync(Bound);
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false, Validate(c => served = c));
        await tls.AuthenticateAsClientAsync(serverName).WaitAsync(Bound);
        return served!;
    }

    /// <summary>An IMAPS handshake that accepts only the host's default certificate (when ACME has not delivered); the leaf served.</summary>
    public async Task<X509Certificate2> ImapsDefaultCertificateAsync(string serverName)
    {
        var expected = Services.GetRequiredService<IServerCertificateRegistry>().SelectCertificate(null)!.GetCertHashString();
        X509Certificate2? served = null;
        using var client = new ImapClient
        {
            ServerCertificateValidationCallback = (_, certificate, _, _) =>
            {
                served = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                return certificate?.GetCertHashString() == expected;
            },
        };
        await client.ConnectAsync(await ConnectAsync("Imaps"), serverName, EndPointOf("Imaps").Port, SecureSocketOptions.SslOnConnect).WaitAsync(Bound);
        await client.DisconnectAsync(quit: true).WaitAsync(Bound);
        return served!;
    }

    /// <summary>SMTP with STARTTLS on the MX endpoint; the leaf served.</summary>
    public async Task<X509Certificate2> SmtpStartTlsCertificateAsync(string serverName)
    {
        X509Certificate2? served = null;
        using var client = new SmtpClient { ServerCertificateValidationCallback = Validate(c => served = c) };
        await client.ConnectAsync(await ConnectAsync("Mx"), serverName, EndPointOf("Mx").Port, SecureSocketOptions.StartTls).WaitAsync(Bound);
        await client.DisconnectAsync(quit: true).WaitAsync(Bound);
        return served!;
    }

    /// <summary>POP3 opening TLS at once on the <c>Auto</c> endpoint; the leaf served.</summary>
    public async Task<X509Certificate2> Pop3AutoCertificateAsync(string serverName)
    {
        X509Certificate2? served = null;
        using var client = new Pop3Client { ServerCertificateValidationCallback = Validate(c => served = c) };
        await client.ConnectAsync(await ConnectAsync("Pop3"), serverName, EndPointOf("Pop3").Port, SecureSocketOptions.SslOnConnect).WaitAsync(Bound);
        await client.DisconnectAsync(quit: true).WaitAsync(Bound);
        return served!;
    }

    /// <summary>A raw IMAPS connection that stays open (for "an open connection keeps working").</summary>
    public async Task<OpenConnection> OpenImapsAsync(string serverName)
    {
        var tls = new SslStream(new NetworkStream(await ConnectAsync("Imaps"), ownsSocket: true));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            RemoteCertificateValidationCallback = Validate(_ => { }),
        }).WaitAsync(Bound);
        return new OpenConnection(tls);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync().WaitAsync(Bound);
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>A TLS connection with line reading and writing.</summary>
    public sealed class OpenConnection(SslStream tls) : IAsyncDisposable
    {
        public SslStream Tls { get; } = tls;

        public StreamReader Reader { get; } = new(tls, leaveOpen: true);

        public StreamWriter Writer { get; } = new(tls, leaveOpen: true) { NewLine = "\r\n" };

        public async ValueTask DisposeAsync()
        {
            Reader.Dispose();
            await Writer.DisposeAsync();
            await Tls.DisposeAsync();
        }
    }

    /// <summary>Accepts exactly a chain to Pebble's root for the name asked (the TLS stack checks the name).</summary>
    private RemoteCertificateValidationCallback Validate(Action<X509Certificate2> served) =>
        (_, certificate, chain, errors) =>
        {
            if (certificate is not null)
            {
                served(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            }

            return Pebble.Validates(certificate, chain, errors);
        };

    private async Task<Socket> ConnectAsync(string endpoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(EndPointOf(endpoint)).WaitAsync(Bound);
        return socket;
    }
}
