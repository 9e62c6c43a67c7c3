using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailHost.Tests.Filtering.ClamAv;

/// <summary>
/// A stand-in for clamd on a loopback TCP port or a unix socket: each connection is given to the test's handler, which
/// reads with <see cref="ReadCommandAsync"/> and <see cref="ReadChunksAsync"/> (recording every octet in
/// <see cref="Received"/>) and answers what the test needs, well-formed or not.
/// </summary>
public sealed class FakeClamd : IAsyncDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);
    private readonly Socket _listener;
    private readonly Func<FakeClamd, NetworkStream, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstHandled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly MemoryStream _received = new();
    private readonly Task _accepting;
    private readonly string? _socketPath;
    private int _connections;

    private FakeClamd(Socket listener, string address, string? socketPath, Func<FakeClamd, NetworkStream, Task> handler)
    {
        _listener = listener;
        _socketPath = socketPath;
        _handler = handler;
        Address = address;
        _accepting = AcceptAsync();
    }

    /// <summary>The address for <c>ClamAvOptions.Address</c>: <c>tcp://127.0.0.1:PORT</c> or <c>unix:PATH</c>.</summary>
    public string Address { get; }

    /// <summary>How many connections were accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Every octet the handlers read, in order.</summary>
    public byte[] Received
    {
        get
        {
            lock (_received)
            {
                return _received.ToArray();
            }
        }
    }

    /// <summary>Completes when the handler of the first connection has finished (faults with its exception).</summary>
    public Task FirstHandled => _firstHandled.Task;

    /// <summary>Listens on an ephemeral port of 127.0.0.1.</summary>
    public static FakeClamd OnTcp(Func<FakeClamd, NetworkStream, Task> handler)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        return new FakeClamd(listener, $"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}", null, handler);
    }

    /// <summary>Listens on a unix socket at <paramref name="path"/>.</summary>
    public static FakeClamd OnUnixSocket(string path, Func<FakeClamd, NetworkStream, Task> handler)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        return new FakeClamd(listener, "unix:" + path, path, handler);
    }

    /// <summary>A handler that reads a whole INSTREAM request and answers <paramref name="reply"/> as it is (add the NUL).</summary>
    public static Func<FakeClamd, NetworkStream, Task> Answering(string reply)
        => async (fake, stream) =>
        {
            await fake.ReadCommandAsync(stream);
            await fake.ReadChunksAsync(stream);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(reply));
        };

    /// <summary>Reads a command up to its NUL and returns it without the NUL.</summary>
    public async Task<string> ReadCommandAsync(NetworkStream stream)
    {
        var command = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            await stream.ReadExactlyAsync(one).AsTask().WaitAsync(Limit);
            Record(one);
            if (one[0] == 0)
            {
                return Encoding.ASCII.GetString([.. command]);
            }

            command.Add(one[0]);
        }
    }

    /// <summary>Reads INSTREAM chunks up to the zero-length one; returns the lengths, the last (0) included.</summary>
    public async Task<List<int>> ReadChunksAsync(NetworkStream stream, long stopAfter = long.MaxValue)
    {
        var lengths = new List<int>();
        var header = new byte[4];
        long total = 0;
        while (total < stopAfter)
        {
            await stream.ReadExactlyAsync(header).AsTask().WaitAsync(Limit);
            Record(header);
            var length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(header));
            lengths.Add(length);
            if (length == 0)
            {
                break;
            }

            var data = new byte[length];
            await stream.ReadExactlyAsync(data).AsTask().WaitAsync(Limit);
            Record(data);
            total += length;
        }

        return lengths;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _accepting.WaitAsync(Limit);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The listener is closed.
        }

        _stop.Dispose();
        if (_socketPath is not null)
        {
            File.Delete(_socketPath);
        }
    }

    private void Record(byte[] octets)
    {
        lock (_received)
        {
            _received.Write(octets);
        }
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            var socket = await _listener.AcceptAsync(_stop.Token);
            var first = Interlocked.Increment(ref _connections) == 1;
            _ = HandleAsync(socket, first);
        }
    }

    private async Task HandleAsync(Socket socket, bool first)
    {
        try
        {
            await using (var stream = new NetworkStream(socket, ownsSocket: true))
            {
                await _handler(this, stream);
            }

            if (first)
            {
                _firstHandled.TrySetResult();
            }
        }
        catch (Exception ex)
        {
            if (first)
            {
                _firstHandled.TrySetException(ex);
            }
        }
    }
}
