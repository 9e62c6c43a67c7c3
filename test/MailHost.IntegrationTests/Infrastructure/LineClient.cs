using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace MailHost.IntegrationTests.Infrastructure;

/// <summary>A raw line client over a real socket, with optional TLS, for transcript-style assertions.</summary>
public sealed class LineClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);
    private readonly byte[] _buffer = new byte[16384];
    private int _start;
    private int _end;

    private LineClient(Socket socket)
    {
        Socket = socket;
        Stream = new NetworkStream(socket, ownsSocket: true);
    }

    public Socket Socket { get; }

    public Stream Stream { get; private set; }

    public static async Task<LineClient> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint).WaitAsync(DefaultTimeout);
        return new LineClient(socket);
    }

    /// <summary>Connects from <paramref name="source"/> (e.g. 127.0.0.42: every 127.0.0.0/8 address is loopback), standing in for another client.</summary>
    public static async Task<LineClient> ConnectFromAsync(IPEndPoint endPoint, IPAddress source)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(endPoint).WaitAsync(DefaultTimeout);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new LineClient(socket);
    }

    public async Task<SslStream> StartTlsAsync(IList<SslApplicationProtocol>? alpn = null, string targetHost = "localhost")
    {
        if (_start != _end)
        {
            throw new InvalidOperationException("Unread plain-text bytes before TLS");
        }

        var ssl = new SslStream(Stream, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = targetHost,
                RemoteCertificateValidationCallback = TestCertificate.Validate,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ApplicationProtocols = alpn is null ? null : [.. alpn],
            }).WaitAsync(DefaultTimeout);
        Stream = ssl;
        return ssl;
    }

    public async Task SendAsync(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await Stream.WriteAsync(bytes).AsTask().WaitAsync(DefaultTimeout);
        await Stream.FlushAsync().WaitAsync(DefaultTimeout);
    }

    public async Task SendRawAsync(byte[] bytes)
    {
        await Stream.WriteAsync(bytes).AsTask().WaitAsync(DefaultTimeout);
        await Stream.FlushAsync().WaitAsync(DefaultTimeout);
    }

    /// <summary>Reads one line without its CRLF; null at end of stream.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Encoding.UTF8.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                _start = newline + 1;
                return line;
            }

            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            var read = await Stream.ReadAsync(_buffer.AsMemory(_end), cts.Token);
            if (read == 0)
            {
                return _end > _start ? Encoding.UTF8.GetString(_buffer, _start, _end - _start) : null;
            }

            _end += read;
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes (a literal's data, which may hold CR, LF and NUL).</summary>
    public async Task<byte[]> ReadBytesAsync(int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var result = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            if (_start == _end)
            {
                _start = _end = 0;
                var read = await Stream.ReadAsync(_buffer, cts.Token);
                if (read == 0)
                {
                    throw new EndOfStreamException($"Connection closed after {filled} of {count} bytes");
                }

                _end = read;
            }

            var n = Math.Min(count - filled, _end - _start);
            Array.Copy(_buffer, _start, result, filled, n);
            _start += n;
            filled += n;
        }

        return result;
    }

    /// <summary>Waits until the server closes the connection; returns what it sent meanwhile.</summary>
    public async Task<string> ReadToEndAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var text = new StringBuilder(Encoding.UTF8.GetString(_buffer, _start, _end - _start));
        _start = _end = 0;
        try
        {
            while (true)
            {
                var read = await Stream.ReadAsync(_buffer, cts.Token);
                if (read == 0)
                {
                    return text.ToString();
                }

                text.Append(Encoding.UTF8.GetString(_buffer, 0, read));
            }
        }
        catch (IOException)
        {
            return text.ToString();
        }
    }

    public async ValueTask DisposeAsync() => await Stream.DisposeAsync();
}
