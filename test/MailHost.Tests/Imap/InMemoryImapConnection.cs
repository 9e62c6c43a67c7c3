using System.IO.Pipelines;
using System.Net;
using System.Text;
using MailHost.Accounts;
using MailHost.Authentication;
using MailHost.Connections;
using MailHost.Hosting;
using MailHost.Imap;
using MailHost.Storage;
using MailHost.Storage.InMemory;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MailHost.Tests.Imap;

/// <summary>
/// An <see cref="ImapSession"/> on in-memory pipes, no socket and no TLS: alice (password "alice-pw") with an
/// in-memory store (or the given one), plain-text login allowed.
/// </summary>
internal sealed class InMemoryImapConnection : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();
    private readonly Task _session;
    private readonly StringBuilder _pending = new();

    public InMemoryImapConnection(IMailStore? store = null)
    {
        Store = store ?? new InMemoryMailStore();
        var options = new AuthenticationOptions { PasswordIterations = PasswordRecord.MinimumIterations, AllowPlaintextAuthentication = true };
        options.Throttle.Enabled = false;
        var wrapped = Options.Create(options);
        Directory.AddDomain("example.com");
        Directory.AddAccount("alice", "alice-pw", PasswordRecord.MinimumIterations);
        Directory.AddAddress("alice", "alice@example.com");
        var throttle = new AuthenticationThrottle(wrapped, TimeProvider.System);
        var resolver = new DirectoryAuthIdentityResolver(Directory, wrapped, NullLogger<DirectoryAuthIdentityResolver>.Instance);
        var passwords = new PasswordAuthenticator(resolver, Directory, throttle, wrapped, TimeProvider.System, NullLogger<PasswordAuthenticator>.Instance);
        var sasl = new SaslAuthenticator(resolver, Directory, throttle, wrapped, TimeProvider.System, NullLogger<SaslAuthenticator>.Instance);

        var context = new TestConnectionContext(new DuplexPipe(_toServer.Reader, _toClient.Writer));
        context.Features.Set<IMailConnectionFeature>(new MailConnection(
            context.ConnectionId, new MailEndpointOptions { Name = "Memory", Protocol = MailProtocol.Imap, Tls = MailTlsMode.None }, new IPEndPoint(IPAddress.Loopback, 50000), null));
        context.Features.Set<IMailTlsFeature>(new NoTls());
        var services = new ImapServices
        {
            Store = Store,
            Passwords = passwords,
            Sasl = sasl,
            Options = new ImapOptions(),
            MaxLoginFailures = options.MaxFailuresPerConnection,
            TimeProvider = TimeProvider.System,
            LoggerFactory = NullLoggerFactory.Instance,
            Logger = NullLogger.Instance,
        };
        var session = new ImapSession(context, services, CancellationToken.None);
        _session = Task.Run(async () =>
        {
            try
            {
                await session.RunAsync();
            }
            finally
            {
                await _toClient.Writer.CompleteAsync();
            }
        });
    }

    public InMemoryAccountDirectory Directory { get; } = new();

    public IMailStore Store { get; }

    public async Task DeliverAsync(string text)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\r\n")));
        (await Store.DeliverAsync(stream, [new DeliveryTarget("alice")], CancellationToken.None)).IsSuccess.Should().BeTrue();
    }

    public async Task SendAsync(string text)
    {
        await _toServer.Writer.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask().WaitAsync(Timeout);
    }

    /// <summary>The next line without CRLF, or null once the session has ended and everything was read.</summary>
    public async Task<string?> ReadLineAsync()
    {
        while (true)
        {
            var text = _pending.ToString();
            var newline = text.IndexOf('\n', StringComparison.Ordinal);
            if (newline >= 0)
            {
                _pending.Remove(0, newline + 1);
                return text[..newline].TrimEnd('\r');
            }

            var result = await _toClient.Reader.ReadAsync().AsTask().WaitAsync(Timeout);
            foreach (var segment in result.Buffer)
            {
                _pending.Append(Encoding.UTF8.GetString(segment.Span));
            }

            _toClient.Reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted && result.Buffer.IsEmpty)
            {
                return _pending.Length > 0 ? _pending.ToString() : null;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _toServer.Writer.CompleteAsync();
        await _session.WaitAsync(Timeout);
    }

    private sealed class NoTls : IMailTlsFeature
    {
        public bool CanStartTls => false;

        public ValueTask<StartTlsOutcome> StartTlsAsync(Func<ValueTask> sendReady, CancellationToken cancellationToken) => ValueTask.FromResult(StartTlsOutcome.Unavailable);
    }

    private sealed class TestConnectionContext(IDuplexPipe transport) : ConnectionContext
    {
        public override string ConnectionId { get; set; } = "memory";

        public override IFeatureCollection Features { get; } = new FeatureCollection();

        public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

        public override IDuplexPipe Transport { get; set; } = transport;
    }
}
