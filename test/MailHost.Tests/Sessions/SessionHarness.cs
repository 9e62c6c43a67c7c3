using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using MailHost.Connections;
using MailHost.Hosting;
using MailHost.Sessions;
using MailHost.Tests.Logins;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailHost.Tests.Sessions;

/// <summary>A <see cref="MailSessionConnection"/> on in-memory pipes with a manual clock, a fake STARTTLS and a captured trace.</summary>
internal sealed class SessionHarness : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    // The client reads nothing until a test says so; the writer never pauses.
    private static readonly PipeOptions Unbounded = new(pauseWriterThreshold: 0, useSynchronizationContext: false);

    public SessionHarness(MailProtocol protocol = MailProtocol.Imap, MailProtocol? endpointProtocol = null)
    {
        var context = new DefaultConnectionContext("c1") { Transport = new DuplexPipe(ToServer.Reader, ToClient.Writer) };
        var endpoint = new MailEndpointOptions { Name = "Memory", Protocol = endpointProtocol ?? protocol, Tls = MailTlsMode.StartTls };
        context.Features.Set<IMailConnectionFeature>(new MailConnection(context.ConnectionId, endpoint, new IPEndPoint(IPAddress.Loopback, 50000), null));
        Tls = new FakeStartTls(context, ToClient.Writer);
        context.Features.Set<IMailTlsFeature>(Tls);
        Session = new MailSessionConnection(context, Settings(protocol, Time, Loggers), Stopping.Token);
    }

    public Pipe ToServer { get; } = new(Unbounded);

    public Pipe ToClient { get; } = new(Unbounded);

    public FakeTimeProvider Time { get; } = new();

    public CancellationTokenSource Stopping { get; } = new();

    public TraceLoggers Loggers { get; } = new();

    public FakeStartTls Tls { get; }

    public MailSessionConnection Session { get; }

    public static MailSessionSettings Settings(MailProtocol protocol, TimeProvider time, TraceLoggers loggers) => new()
    {
        Protocol = protocol,
        WriteTimeout = TimeSpan.FromMinutes(2),
        TimeProvider = time,
        LoggerFactory = loggers,
        Logger = NullLogger.Instance,
    };

    public async Task ClientSendsAsync(string text) => await ToServer.Writer.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask().WaitAsync(Timeout);

    /// <summary>What the server has flushed so far, taken without waiting.</summary>
    public byte[] ClientHasReceived()
    {
        if (!ToClient.Reader.TryRead(out var result))
        {
            return [];
        }

        var bytes = result.Buffer.ToArray();
        ToClient.Reader.AdvanceTo(result.Buffer.End);
        return bytes;
    }

    /// <summary>Waits for the server's next flush.</summary>
    public async Task<string> ClientReadsAsync()
    {
        var result = await ToClient.Reader.ReadAsync().AsTask().WaitAsync(Timeout);
        var text = Encoding.ASCII.GetString(result.Buffer.ToArray());
        ToClient.Reader.AdvanceTo(result.Buffer.End);
        return text;
    }

    public async ValueTask DisposeAsync()
    {
        Session.Dispose();
        Stopping.Dispose();
        await ToServer.Writer.CompleteAsync();
        await ToClient.Writer.CompleteAsync();
        await Tls.DisposeAsync();
    }
}
