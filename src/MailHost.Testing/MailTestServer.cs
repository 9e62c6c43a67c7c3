using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailHost.Accounts;
using MailHost.Delivery;
using MailHost.Hosting;
using MailHost.Logins;
using MailHost.Smtp;
using MailHost.Storage;
using MailHost.Storage.InMemory;
using MailHost.Testing.Smtp;
using MailKit.Net.Imap;
using MailKit.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace MailHost.Testing;

/// <summary>
/// A real MailHost running in the test process on 127.0.0.1, on ports the operating system chose: SMTP (MX, no
/// login), submission (login required), IMAP and POP3, each with STARTTLS under a certificate made for this server.
/// Mail is kept in memory. It records every message SMTP or submission accepted, can wait for the next one, and can
/// make its SMTP endpoints misbehave (<see cref="Faults"/>). Dispose it to stop everything and free the ports.
/// </summary>
/// <example>
/// <code>
/// await using var mail = await MailTestServer.StartAsync();
/// await mail.AddAccountAsync("alice@example.test", "password");
/// // ... the application sends to 127.0.0.1:mail.SmtpPort ...
/// var received = await mail.WaitForMessageAsync(TimeSpan.FromSeconds(5));
/// </code>
/// </example>
public sealed class MailTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly InMemoryAccountDirectory _directory;
    private readonly ReceivedMessageLog _log;
    private readonly MailTestServerOptions _options;
    private readonly Dictionary<string, string> _passwords = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _accountsLock = new();
    private int _disposed;

    private MailTestServer(WebApplication app, InMemoryAccountDirectory directory, ReceivedMessageLog log, X509Certificate2 certificate, SmtpFaults faults, MailTestServerOptions options)
    {
        _app = app;
        _directory = directory;
        _log = log;
        _options = options;
        Certificate = certificate;
        Faults = faults;
        var listeners = app.Services.GetRequiredService<MailListenerRegistry>().Listeners;
        IPEndPoint EndPointOf(MailProtocol protocol) => listeners.First(l => l.Options.Protocol == protocol).EndPoint
            ?? throw new InvalidOperationException($"The {protocol} endpoint has no address.");
        SmtpEndPoint = EndPointOf(MailProtocol.Smtp);
        SubmissionEndPoint = EndPointOf(MailProtocol.Submission);
        ImapEndPoint = EndPointOf(MailProtocol.Imap);
        Pop3EndPoint = EndPointOf(MailProtocol.Pop3);
    }

    /// <summary>The address every endpoint listens on: <c>127.0.0.1</c>.</summary>
    public static string Host => "127.0.0.1";

    /// <summary>SMTP as an MX receives it (port 25 style): no login, mail for the accounts added here only.</summary>
    public IPEndPoint SmtpEndPoint { get; }

    /// <summary>Message submission (port 587 style, RFC 6409): AUTH first, then mail to any address.</summary>
    public IPEndPoint SubmissionEndPoint { get; }

    /// <summary>IMAP (port 143 style, STARTTLS offered).</summary>
    public IPEndPoint ImapEndPoint { get; }

    /// <summary>POP3 (port 110 style, STLS offered).</summary>
    public IPEndPoint Pop3EndPoint { get; }

    /// <summary>The port of <see cref="SmtpEndPoint"/>.</summary>
    public int SmtpPort => SmtpEndPoint.Port;

    /// <summary>The port of <see cref="SubmissionEndPoint"/>.</summary>
    public int SubmissionPort => SubmissionEndPoint.Port;

    /// <summary>The port of <see cref="ImapEndPoint"/>.</summary>
    public int ImapPort => ImapEndPoint.Port;

    /// <summary>The port of <see cref="Pop3EndPoint"/>.</summary>
    public int Pop3Port => Pop3EndPoint.Port;

    /// <summary>
    /// The self-signed certificate every endpoint presents, made in memory at start for <c>localhost</c>,
    /// 127.0.0.1 and ::1. Trust it in a client with <see cref="ValidateServerCertificate"/>.
    /// </summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The faults to inject into the SMTP and submission endpoints.</summary>
    public SmtpFaults Faults { get; }

    /// <summary>Every message SMTP or submission accepted so far, oldest first (a snapshot).</summary>
    public IReadOnlyList<ReceivedMessage> Messages => _log.Snapshot();

    /// <summary>Starts a server. The returned server is listening.</summary>
    /// <param name="options">Settings, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<MailTestServer> StartAsync(MailTestServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new MailTestServerOptions();
        var certificate = TestCertificate.Create(options.Hostname);
        var directory = new InMemoryAccountDirectory();
        var log = new ReceivedMessageLog();
        var faults = new SmtpFaults();
        try
        {
            var app = Build(options, certificate, directory, log, faults);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return new MailTestServer(app, directory, log, certificate, faults, options);
        }
        catch
        {
            certificate.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Adds an account that owns <paramref name="address"/> and logs in with it (or with its account name, returned)
    /// and <paramref name="password"/>. The address's domain becomes a local domain if it is not one yet.
    /// </summary>
    /// <returns>The account name.</returns>
    /// <exception cref="ArgumentException">The address is not usable.</exception>
    /// <exception cref="InvalidOperationException">The address is taken.</exception>
    public Task<string> AddAccountAsync(string address, string password, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        ArgumentNullException.ThrowIfNull(password);
        cancellationToken.ThrowIfCancellationRequested();
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1)
        {
            throw new ArgumentException($"'{address}' is not an address of the form local@domain.", nameof(address));
        }

        // Account names allow letters, digits, '.', '_' and '-': "alice@example.test" becomes "alice_example.test".
        var name = string.Concat(address.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' ? c : '_'));
        lock (_accountsLock)
        {
            _directory.AddDomain(address[(at + 1)..]);
            _directory.AddAccount(name, password, _options.PasswordIterations);
            _directory.AddAddress(name, address);
            _passwords[address] = password;
        }

        return Task.FromResult(name);
    }

    /// <summary>
    /// The oldest accepted message not returned by an earlier call that matches <paramref name="predicate"/> (any
    /// message when <see langword="null"/>), waiting up to <paramref name="timeout"/> for it to arrive. A message
    /// that arrived before the call is found too, so there is no race with the application.
    /// </summary>
    /// <exception cref="TimeoutException">Nothing suitable arrived in time; the message lists what did arrive.</exception>
    public Task<ReceivedMessage> WaitForMessageAsync(TimeSpan timeout, Func<ReceivedMessage, bool>? predicate = null, CancellationToken cancellationToken = default) =>
        _log.WaitAsync(timeout, predicate, TimeProvider.System, cancellationToken);

    /// <summary>
    /// Reads every message in <paramref name="mailbox"/> of the account that owns <paramref name="address"/>, as an
    /// IMAP client would (over this server's IMAP endpoint); the stored copies carry the server's Received header.
    /// </summary>
    /// <exception cref="InvalidOperationException">No account was added here for <paramref name="address"/>.</exception>
    public async Task<IReadOnlyList<MimeMessage>> GetMailboxMessagesAsync(string address, string mailbox = "INBOX", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        string? password;
        lock (_accountsLock)
        {
            _passwords.TryGetValue(address, out password);
        }

        if (password is null)
        {
            throw new InvalidOperationException($"No account was added for '{address}': call AddAccountAsync first.");
        }

        using var client = new ImapClient { ServerCertificateValidationCallback = ValidateServerCertificate };
        await client.ConnectAsync(Host, ImapPort, SecureSocketOptions.StartTls, cancellationToken).ConfigureAwait(false);
        await client.AuthenticateAsync(address, password, cancellationToken).ConfigureAwait(false);
        var folder = await client.GetFolderAsync(mailbox, cancellationToken).ConfigureAwait(false);
        await folder.OpenAsync(MailKit.FolderAccess.ReadOnly, cancellationToken).ConfigureAwait(false);
        var messages = new List<MimeMessage>(folder.Count);
        for (var i = 0; i < folder.Count; i++)
        {
            messages.Add(await folder.GetMessageAsync(i, cancellationToken).ConfigureAwait(false));
        }

        await client.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
        return messages;
    }

    /// <summary>
    /// A <see cref="RemoteCertificateValidationCallback"/> that accepts exactly <see cref="Certificate"/> (compared by
    /// its SHA-256 hash) and nothing else; for <c>client.ServerCertificateValidationCallback</c> in MailKit.
    /// </summary>
    public bool ValidateServerCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors sslPolicyErrors) =>
        TestCertificateTrust.IsSame(Certificate, certificate);

    /// <summary>Stops every endpoint (open connections are closed), frees the ports and forgets all mail.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            Certificate.Dispose();
        }
    }

    private static WebApplication Build(MailTestServerOptions options, X509Certificate2 certificate, InMemoryAccountDirectory directory, ReceivedMessageLog log, SmtpFaults faults)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        var services = builder.Services;
        services.AddLogging();
        services.AddMailHost();
        services.Configure<MailHostOptions>(o => o.Hostname = options.Hostname);
        services.Configure<AuthenticationOptions>(o =>
        {
            o.PasswordIterations = options.PasswordIterations;
            o.AllowPlaintextAuthentication = options.AllowPlaintextAuthentication;
        });
        services.AddSingleton<IAccountDirectory>(directory);
        services.AddSingleton<IMailStore>(_ => new InMemoryMailStore());
        services.AddSingleton<IOutboundMailDelivery, DiscardingOutboundDelivery>();
        services.AddMailHostSmtp();
        services.Configure<SmtpOptions>(o =>
        {
            o.MaxMessageSize = options.MaxMessageSize;
            o.RequireOwnAddressInMailFrom = options.RequireOwnSenderAddress;
            o.RequireOwnAddressInHeaderFrom = options.RequireOwnSenderAddress;

            // Keep every message in memory: no spool file on disk.
            o.SpoolMemoryThreshold = (int)Math.Min(int.MaxValue, options.MaxMessageSize + 1);
        });
        services.AddMailHostImap();
        services.AddMailHostPop3();

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var loopback = new IPEndPoint(IPAddress.Loopback, 0);
            void Secure(MailEndpointOptions endpoint)
            {
                endpoint.Tls = MailTlsMode.StartTls;
                endpoint.ServerCertificate = certificate;
            }

            foreach (var protocol in (MailProtocol[])[MailProtocol.Smtp, MailProtocol.Submission])
            {
                var registration = kestrel.ApplicationServices.GetServices<MailProtocolHandlerRegistration>().Last(r => r.Protocol == protocol);
                var endpoint = new MailEndpointOptions { Protocol = protocol, Name = protocol.ToString() };
                Secure(endpoint);
                kestrel.Listen(loopback, listen =>
                {
                    // First in the pipeline, so the fault layer sees the client's bytes before MailHost does.
                    listen.Use(next => new SmtpFaultMiddleware(next, protocol, faults, log, certificate, TimeProvider.System).OnConnectionAsync);
                    registration.UseHandler(listen, endpoint);
                });
            }

            kestrel.ListenImap(loopback, Secure);
            kestrel.ListenPop3(loopback, Secure);
        });
        return builder.Build();
    }
}
