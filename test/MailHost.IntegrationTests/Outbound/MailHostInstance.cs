using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailHost.Dns;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Server;
using MailHost.Server.Admin;
using MailHost.Tests.Delivery;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace MailHost.IntegrationTests.Outbound;

/// <summary>
/// The real host (<see cref="MailHostServer.Build"/>) in-process over its own data directory: an MX endpoint and an
/// implicit-TLS submission endpoint on 127.0.0.1:0, the test certificate, accounts made with the admin commands,
/// and logs captured so that tests wait for events instead of sleeping.
/// </summary>
public sealed class MailHostInstance : IAsyncDisposable
{
    public const string CertificatePassword = "test-pfx";
    private readonly TempDirectory _data;
    private readonly WebApplication _app;
    private bool _stopped;

    private MailHostInstance(TempDirectory data, WebApplication app, CapturingLoggerProvider logs)
    {
        _data = data;
        _app = app;
        Logs = logs;
    }

    public string DataDirectory => _data.Path;

    /// <summary>Whether disposing the instance deletes its data directory (false to start another instance over it).</summary>
    public bool OwnsData { get; set; } = true;

    public IServiceProvider Services => _app.Services;

    public CapturingLoggerProvider Logs { get; }

    public IPEndPoint Mx => Endpoint("Mx");

    public IPEndPoint Submission => Endpoint("Submissions");

    /// <summary>Makes a data directory with the domains and accounts (account name = local part, password "&lt;name&gt;-pw").</summary>
    public static async Task<TempDirectory> PrepareAsync(string[] domains, params string[] addresses)
    {
        var data = new TempDirectory();
        foreach (var domain in domains)
        {
            await AdminAsync(data.Path, "domains", "add", domain);
        }

        foreach (var address in addresses)
        {
            var name = address[..address.IndexOf('@', StringComparison.Ordinal)];
            await AdminAsync(data.Path, "users", "add", name, "--address", address, "--password", name + "-pw");
        }

        var pfx = Path.Combine(data.Path, "test-certificate.pfx");
        await File.WriteAllBytesAsync(pfx, TestCertificate.Certificate.Export(X509ContentType.Pkcs12, CertificatePassword));
        return data;
    }

    /// <summary>Builds and starts the host over <paramref name="data"/> (disposed with the instance), with an empty DNS zone.</summary>
    public static Task<MailHostInstance> StartAsync(TempDirectory data, string hostname, params string[] extra)
        => StartAsync(data, hostname, new FakeDnsZone(), extra);

    /// <summary>
    /// Builds and starts the host over <paramref name="data"/> (disposed with the instance); every DNS question (MX
    /// lookups for outbound mail, SPF, DKIM and DMARC on the MX endpoint) goes to <paramref name="dns"/>, never to the
    /// system's resolver.
    /// </summary>
    public static async Task<MailHostInstance> StartAsync(TempDirectory data, string hostname, FakeDnsZone dns, params string[] extra)
    {
        var logs = new CapturingLoggerProvider();
        string[] args =
        [
            "--contentRoot=" + data.Path,
            "--MailHost:DataDirectory=" + data.Path,
            "--MailHost:Admin:Url=",
            "--MailHost:Hostname=" + hostname,
            "--MailHost:Certificate:Path=" + Path.Combine(data.Path, "test-certificate.pfx"),
            "--MailHost:Certificate:Password=" + CertificatePassword,
            "--MailHost:Auth:Throttle:Enabled=false",
            "--MailHost:Endpoints:Mx:Url=smtp://127.0.0.1:0",
            "--MailHost:Endpoints:Submissions:Url=submissions://127.0.0.1:0",
            .. extra,
        ];
        var app = MailHostServer.Build(args, builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            builder.Logging.AddProvider(logs);
            builder.Services.AddSingleton<IDnsResolver>(dns);
        });
        var instance = new MailHostInstance(data, app, logs);
        try
        {
            await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return instance;
    }

    /// <summary>Submits <paramref name="message"/> as <paramref name="account"/> over implicit TLS with AUTH; MAIL FROM is the From address.</summary>
    public async Task SubmitAsync(string account, MimeMessage message, IEnumerable<MailboxAddress>? recipients = null)
    {
        using var client = new SmtpClient { ServerCertificateValidationCallback = TestCertificate.Validate, Timeout = 15_000 };
        await client.ConnectAsync(Submission.Address.ToString(), Submission.Port, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(account, account + "-pw");
        if (recipients is null)
        {
            await client.SendAsync(message);
        }
        else
        {
            await client.SendAsync(message, message.From.Mailboxes.Single(), recipients);
        }

        await client.DisconnectAsync(quit: true);
    }

    /// <summary>Waits for an outbound delivery log event (<c>MailHost.Delivery</c>: 3001 outcome, 3003 finished).</summary>
    public Task<CapturedLog> WaitForDeliveryEventAsync(int eventId, string? containing = null)
        => Logs.WaitForAsync(
            e => e.Category == "MailHost.Delivery" && e.EventId.Id == eventId && (containing is null || e.Message.Contains(containing, StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60));

    /// <summary>
    /// The serialised form of <paramref name="message"/> with CRLF line ends; after sending, what MailKit sent (its
    /// preparation for the server's extensions changes the message in place).
    /// </summary>
    public static byte[] WireBytes(MimeMessage message)
    {
        using var stream = new MemoryStream();
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        message.WriteTo(format, stream);
        return stream.ToArray();
    }

    /// <summary>
    /// Removes the leading trace fields (Return-Path, Authentication-Results, Received, with their folds); returns the
    /// rest and the fields.
    /// </summary>
    public static byte[] WithoutTraceFields(byte[] stored, out List<string> fields)
    {
        var text = Encoding.Latin1.GetString(stored);
        fields = [];
        var position = 0;
        while (text.AsSpan(position).StartsWith("Return-Path: ") || text.AsSpan(position).StartsWith("Received: ")
            || text.AsSpan(position).StartsWith("Authentication-Results: "))
        {
            var end = text.IndexOf("\r\n", position, StringComparison.Ordinal) + 2;
            while (text[end] is ' ' or '\t')
            {
                end = text.IndexOf("\r\n", end, StringComparison.Ordinal) + 2;
            }

            fields.Add(text[position..end]);
            position = end;
        }

        return stored[position..];
    }

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _app.StopAsync(timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        if (OwnsData)
        {
            _data.Dispose();
        }
    }

    public IPEndPoint Endpoint(string name)
        => Services.GetRequiredService<MailListenerRegistry>().Listeners.Single(l => l.Options.Name == name).EndPoint!;

    /// <summary>Runs an admin command over <paramref name="dataDirectory"/>; returns what it printed.</summary>
    public static async Task<string> AdminAsync(string dataDirectory, params string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["MailHost:DataDirectory"] = dataDirectory,
                ["MailHost:Auth:PasswordIterations"] = "4096",
            })
            .Build();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await AdminCli.RunAsync(args, configuration, output, error, new StringReader(string.Empty), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        exit.Should().Be(AdminCli.ExitSuccess, error.ToString());
        return output.ToString();
    }
}
