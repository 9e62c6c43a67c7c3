using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace MailHost.IntegrationTests.Infrastructure;

/// <summary>
/// A client that sends and never reads: the attacker of a server's output buffering. Its receive buffer is small, so
/// the server's replies back up after a few kilobytes and the server's own buffering is what the test sees.
/// </summary>
public sealed class NonReadingClient : IDisposable
{
    private SslStream? _tls;

    private NonReadingClient(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    /// <summary>Bytes the kernel accepted from <see cref="SendUntilStalledAsync"/>.</summary>
    public long Sent { get; private set; }

    public static async Task<NonReadingClient> ConnectAsync(IPEndPoint server, IPAddress? source = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveBufferSize = 4 * 1024,
            SendBufferSize = 16 * 1024,
        };
        if (source is not null)
        {
            socket.Bind(new IPEndPoint(source, 0));
        }

        await socket.ConnectAsync(server).WaitAsync(TimeSpan.FromSeconds(15));
        return new NonReadingClient(socket);
    }

    /// <summary>Starts TLS at once (an implicit-TLS port); what follows is sent encrypted and still never read.</summary>
    public async Task StartTlsAsync()
    {
        _tls = new SslStream(new NetworkStream(Socket, ownsSocket: false));
        await _tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = TestCertificate.Validate,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        }).WaitAsync(TimeSpan.FromSeconds(15));
    }

    /// <summary>How <see cref="SendUntilStalledAsync"/> ended.</summary>
    public enum SendOutcome
    {
        /// <summary>A send made no progress: the server stopped reading.</summary>
        Stalled,

        /// <summary>The server closed the connection.</summary>
        Closed,

        /// <summary>The byte limit or the time allowed was reached with the server still reading.</summary>
        StillReading,
    }

    /// <summary>
    /// Sends <paramref name="line"/> over and over until one send makes no progress for <paramref name="stall"/>, the
    /// server closes the connection, or <paramref name="limit"/> bytes are out or <paramref name="within"/> has passed.
    /// </summary>
    public async Task<SendOutcome> SendUntilStalledAsync(string line, TimeSpan stall, long limit, TimeSpan within)
    {
        var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(line, Math.Max(1, 4096 / line.Length))));
        using var overall = new CancellationTokenSource(within);
        while (Sent < limit && !overall.IsCancellationRequested)
        {
            using var progress = new CancellationTokenSource(stall);
            try
            {
                if (_tls is null)
                {
                    Sent += await Socket.SendAsync(chunk, SocketFlags.None, progress.Token);
                }
                else
                {
                    await _tls.WriteAsync(chunk, progress.Token);
                    Sent += chunk.Length;
                }
            }
            catch (OperationCanceledException) when (progress.IsCancellationRequested)
            {
                return SendOutcome.Stalled;
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                return SendOutcome.Closed;
            }
        }

        return SendOutcome.StillReading;
    }

    /// <summary>Whether the server has closed the connection, reading (and dropping) whatever it sent until then.</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[64 * 1024];
        try
        {
            while (await Socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            // A reset: the server closed with our unread commands in its buffer.
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _tls?.Dispose();
        Socket.Dispose();
    }
}
