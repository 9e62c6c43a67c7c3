using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace MailHost.LoadTest;

/// <summary>A client connection that speaks CRLF lines and IMAP literals, over plain TCP or TLS.</summary>
internal sealed class LineConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    // A line may be longer than the buffer (a SEARCH answer on 50,000 messages is a few hundred KiB): the buffer then
    // doubles, up to MaxLine.
    private const int MaxLine = 64 * 1024 * 1024;

    private byte[] _buffer = new byte[64 * 1024];
    private Stream _stream;
    private int _start;
    private int _end;

    private LineConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<LineConnection> ConnectAsync(IPEndPoint endPoint, bool implicitTls, CancellationToken ct)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, ct).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new LineConnection(socket);
        if (implicitTls)
        {
            await connection.StartTlsAsync(ct).ConfigureAwait(false);
        }

        return connection;
    }

    public async Task StartTlsAsync(CancellationToken ct)
    {
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,

                // A load tool against servers on this machine, usually with self-signed certificates.
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
            },
            ct).ConfigureAwait(false);
        _stream = ssl;
        _start = _end = 0;
    }

    public async Task WriteAsync(string text, CancellationToken ct)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct).ConfigureAwait(false);
        await _stream.FlushAsync(ct).ConfigureAwait(false);
    }

    public async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        await _stream.WriteAsync(bytes, ct).ConfigureAwait(false);
        await _stream.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>One line without CRLF; throws at end of stream.</summary>
    public async Task<string> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var length = newline - _start;
                if (length > 0 && _buffer[newline - 1] == '\r')
                {
                    length--;
                }

                var line = Encoding.UTF8.GetString(_buffer, _start, length);
                _start = newline + 1;
                return line;
            }

            await FillAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Skips exactly <paramref name="count"/> bytes (an IMAP literal or a message body).</summary>
    public async Task SkipAsync(long count, CancellationToken ct)
    {
        while (count > 0)
        {
            if (_start == _end)
            {
                await FillAsync(ct).ConfigureAwait(false);
            }

            var take = (int)Math.Min(count, _end - _start);
            _start += take;
            count -= take;
        }
    }

    /// <summary>Reads POP3/SMTP multi-line data up to the lone "." line; returns the number of lines.</summary>
    public async Task<int> ReadDotTerminatedAsync(CancellationToken ct)
    {
        var lines = 0;
        while (await ReadLineAsync(ct).ConfigureAwait(false) != ".")
        {
            lines++;
        }

        return lines;
    }

    private async Task FillAsync(CancellationToken ct)
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxLine)
            {
                throw new IOException("line longer than the client buffer");
            }

            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
        if (read == 0)
        {
            throw new IOException("the server closed the connection");
        }

        _end += read;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }
}
