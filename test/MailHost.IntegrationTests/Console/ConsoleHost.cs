using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MailHost.Accounts;
using MailHost.Dns;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Server;
using MailHost.Server.Admin;
using MailHost.Server.Administration;
using MailHost.Tests.Delivery;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace MailHost.IntegrationTests.Console;

/// <summary>
/// The real host (<see cref="MailHostServer.Build"/>) with the administration listener and its console on
/// 127.0.0.1:0, a plain-text IMAP endpoint (plain-text logins allowed: loopback only), implicit-TLS submission, and
/// outbound delivery whose only route leads to a closed loopback port, so every outbound message is deferred. The
/// operator <see cref="OperatorLogin"/> of example.net is made with the admin commands before the start.
/// </summary>
public sealed class ConsoleHost : IAsyncDisposable
{
    public const string OperatorLogin = "opsadmin";
    public const string OperatorPassword = "ops-password-1";
    public const string RemoteDomain = "remote.example";
    private const string CertificatePassword = "test-pfx";

    private readonly TempDirectory _data;
    private readonly WebApplication _app;

    private ConsoleHost(TempDirectory data, WebApplication app, CapturingLoggerProvider logs)
    {
        _data = data;
        _app = app;
        Logs = logs;
    }

    public IServiceProvider Services => _app.Services;

    public CapturingLoggerProvider Logs { get; }

    /// <summary>The console's address, such as <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress => Services.GetRequiredService<AdminListener>().BaseAddress!;

    public Uri Page(string path) => new(BaseAddress, path);

    public IPEndPoint Imap => Endpoint("Imap");

    public IPEndPoint Submission => Endpoint("Submissions");

    public static async Task<ConsoleHost> StartAsync()
    {
        var data = new TempDirectory();
        try
        {
            var pfx = Path.Combine(data.Path, "test-certificate.pfx");
            await File.WriteAllBytesAsync(pfx, TestCertificate.Certificate.Export(X509ContentType.Pkcs12, CertificatePassword));
            await AdminAsync(data.Path, "domains", "add", "example.net");
            await AdminAsync(data.Path, "users", "add", OperatorLogin, "--address", "ops@example.net", "--password", OperatorPassword);
            await AdminAsync(data.Path, "users", "admin", OperatorLogin);

            string[] args =
            [
                "--contentRoot=" + data.Path,
                "--MailHost:DataDirectory=" + data.Path,
                "--MailHost:Hostname=mail.example.net",
                "--MailHost:Certificate:Path=" + pfx,
                "--MailHost:Certificate:Password=" + CertificatePassword,
                "--MailHost:Auth:PasswordIterations=" + PasswordRecord.MinimumIterations,
                // The failed sign-in test must not slow the others down.
                "--MailHost:Auth:Throttle:Enabled=false",
                "--MailHost:Admin:Url=http://127.0.0.1:0",
                "--MailHost:Endpoints:Imap:Url=imap://127.0.0.1:0",
                "--MailHost:Endpoints:Imap:Tls=None",
                "--MailHost:Endpoints:Imap:AllowPlaintextAuthentication=true",
                "--MailHost:Endpoints:Submissions:Url=submissions://127.0.0.1:0",
                "--MailHost:Outbound:Routes:" + RemoteDomain + "=127.0.0.1:" + ClosedPort(),
                // One attempt when the message arrives, the next an hour later: only an operator's retry makes a second.
                "--MailHost:Outbound:RetryInitialDelay=01:00:00",
                "--MailHost:Outbound:RetryMaxDelay=02:00:00",
                "--MailHost:Outbound:PollInterval=00:00:05",
            ];
            var logs = new CapturingLoggerProvider();
            var app = MailHostServer.Build(args, builder =>
            {
                builder.Logging.ClearProviders();
                builder.Logging.AddProvider(logs);
                // Every DNS question (the domain check, SPF of submitted mail) gets an empty answer, never the network's.
                builder.Services.AddSingleton<IDnsResolver>(new FakeDnsZone());
                // The dashboard's counters; AddMailHostAdmin registers them too once it calls this (adding twice is harmless).
                builder.Services.AddMailHostAdminConsole();
            });
            try
            {
                await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }

            return new ConsoleHost(data, app, logs);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    /// <summary>Logs in over IMAP as <paramref name="login"/>, naming the client <paramref name="clientName"/> with ID (RFC 2971).</summary>
    public async Task ImapLoginAsync(string login, string password, string clientName)
    {
        using var client = new ImapClient { Timeout = 15_000 };
        await client.ConnectAsync(Imap.Address.ToString(), Imap.Port, SecureSocketOptions.None).WaitAsync(TimeSpan.FromSeconds(15));
        if (client.Capabilities.HasFlag(MailKit.Net.Imap.ImapCapabilities.Id))
        {
            await client.IdentifyAsync(new ImapImplementation { Name = clientName, Version = "1.0" }).WaitAsync(TimeSpan.FromSeconds(15));
        }

        await client.AuthenticateAsync(login, password).WaitAsync(TimeSpan.FromSeconds(15));
        await client.DisconnectAsync(quit: true).WaitAsync(TimeSpan.FromSeconds(15));
    }

    /// <summary>Submits a message from <paramref name="from"/> to <paramref name="to"/> over implicit TLS as <paramref name="login"/>.</summary>
    public async Task SubmitAsync(string login, string password, string from, string to)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = "Waiting in the queue";
        message.Body = new TextPart("plain") { Text = "The next hop is down." };
        using var client = new SmtpClient { ServerCertificateValidationCallback = TestCertificate.Validate, Timeout = 15_000 };
        await client.ConnectAsync(Submission.Address.ToString(), Submission.Port, SecureSocketOptions.SslOnConnect).WaitAsync(TimeSpan.FromSeconds(15));
        await client.AuthenticateAsync(login, password).WaitAsync(TimeSpan.FromSeconds(15));
        await client.SendAsync(message).WaitAsync(TimeSpan.FromSeconds(15));
        await client.DisconnectAsync(quit: true).WaitAsync(TimeSpan.FromSeconds(15));
    }

    /// <summary>Waits until the outbound worker has deferred a recipient <paramref name="count"/> times in all.</summary>
    public Task WaitForDeferralsAsync(int count) => Logs.WaitForCountAsync(
        e => e.Category == "MailHost.Delivery" && e.EventId.Id == 3001 && e.Message.Contains("TemporaryFailure", StringComparison.Ordinal),
        count,
        TimeSpan.FromSeconds(30));

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

    private IPEndPoint Endpoint(string name)
        => Services.GetRequiredService<MailListenerRegistry>().Listeners.Single(l => l.Options.Name == name).EndPoint!;

    // A port nobody listens on: bound and released, so connecting is refused at once.
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static async Task AdminAsync(string dataDirectory, params string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["MailHost:DataDirectory"] = dataDirectory,
                ["MailHost:Auth:PasswordIterations"] = PasswordRecord.MinimumIterations.ToString(System.Globalization.CultureInfo.InvariantCulture),
            })
            .Build();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await AdminCli.RunAsync(args, configuration, output, error, new StringReader(string.Empty), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        exit.Should().Be(AdminCli.ExitSuccess, error.ToString());
    }
}
