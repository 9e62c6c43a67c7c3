using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailHost.Tests.Delivery;

/// <summary>A small SMTP receiver on 127.0.0.1:0 with scripted replies; records every accepted transaction.</summary>
public sealed class LoopbackSmtpReceiver : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    public LoopbackSmtpReceiver(string extensions = "8BITMIME")
    {
        Extensions = extensions;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Extensions { get; }

    /// <summary>The reply to RCPT for an address.</summary>
    public Func<string, string> RcptReply { get; set; } = _ => "250 2.1.5 OK";

    /// <summary>
    /// The reply to the end of DATA, given the transaction as received; only a transaction answered with 2xx is kept
    /// in <see cref="Transactions"/>.
    /// </summary>
    public Func<ReceivedTransaction, string> DataReply { get; set; } = _ => "250 2.0.0 queued";

    /// <summary>
    /// Connections are accepted at once but greeted (220) only when this task completes, so that a test can let mail
    /// pile up in a queue before any delivery starts.
    /// </summary>
    public Task GreetingAfter { get; set; } = Task.CompletedTask;

    public ConcurrentQueue<ReceivedTransaction> Transactions { get; } = new();

    public int Connections => Volatile.Read(ref _connections);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var sessions = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                sessions.Add(ServeAsync(client));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(sessions);
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var reader = new LineReader(stream);
        async Task SendAsync(string line) => await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"), _stop.Token);
        try
        {
            await GreetingAfter.WaitAsync(_stop.Token);
            await SendAsync("220 receiver.test ESMTP");
            string? clientName = null;
            string? from = null;
            var rcpts = new List<string>();
            var commands = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var upper = line.ToUpperInvariant();
                if (upper.StartsWith("EHLO", StringComparison.Ordinal))
                {
                    clientName = line[4..].Trim();
                    var ext = Extensions.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    await SendAsync(ext.Length == 0 ? "250 receiver.test" : "250-receiver.test");
                    for (var i = 0; i < ext.Length; i++)
                    {
                        await SendAsync((i == ext.Length - 1 ? "250 " : "250-") + ext[i]);
                    }
                }
                else if (upper.StartsWith("MAIL FROM:", StringComparison.Ordinal))
                {
                    from = line;
                    rcpts.Clear();
                    commands.Clear();
                    await SendAsync("250 2.1.0 OK");
                }
                else if (upper.StartsWith("RCPT TO:", StringComparison.Ordinal))
                {
                    var address = line[(line.IndexOf('<', StringComparison.Ordinal) + 1)..line.IndexOf('>', StringComparison.Ordinal)];
                    var reply = RcptReply(address);
                    commands.Add(line);
                    if (reply.StartsWith('2'))
                    {
                        rcpts.Add(address);
                    }

                    await SendAsync(reply);
                }
                else if (upper == "DATA")
                {
                    await SendAsync("354 go ahead");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync(_stop.Token) is { } dataLine && dataLine != ".")
                    {
                        // RFC 5321 §4.5.2: remove one leading dot.
                        data.Append(dataLine.StartsWith('.') ? dataLine[1..] : dataLine).Append("\r\n");
                    }

                    var transaction = new ReceivedTransaction(from!, [.. rcpts], [.. commands], data.ToString(), clientName);
                    var reply = DataReply(transaction);
                    if (reply.StartsWith('2'))
                    {
                        Transactions.Enqueue(transaction);
                    }

                    await SendAsync(reply);
                }
                else if (upper == "QUIT")
                {
                    await SendAsync("221 bye");
                    return;
                }
                else if (upper is "RSET" or "NOOP")
                {
                    await SendAsync("250 OK");
                }
                else
                {
                    await SendAsync("502 5.5.1 not here");
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
        {
        }
    }

    /// <summary>One DATA transaction; <paramref name="ClientName"/> is the domain the client gave in EHLO (null without one).</summary>
    public sealed record ReceivedTransaction(string MailFrom, IReadOnlyList<string> Recipients, IReadOnlyList<string> RcptCommands, string Data, string? ClientName);

    private sealed class LineReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[8192];
        private int _start;
        private int _end;

        public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = new List<byte>();
            while (true)
            {
                for (; _start < _end; _start++)
                {
                    var b = _buffer[_start];
                    if (b == '\n' && line.Count > 0 && line[^1] == '\r')
                    {
                        _start++;
                        line.RemoveAt(line.Count - 1);
                        return Encoding.Latin1.GetString([.. line]);
                    }

                    line.Add(b);
                }

                _start = 0;
                _end = await stream.ReadAsync(_buffer, cancellationToken);
                if (_end == 0)
                {
                    return null;
                }
            }
        }
    }
}
