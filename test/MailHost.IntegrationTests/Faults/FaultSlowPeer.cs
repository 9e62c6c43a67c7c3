using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Faults;

/// <summary>Clients that are slow on purpose: reading a few bytes a second, or sending one byte at a time.</summary>
internal static class FaultSlowPeer
{
    /// <summary>A receive buffer this small keeps the kernel from reading ahead for the slow reader.</summary>
    public const int SmallReceiveBuffer = 4 * 1024;

    /// <summary>
    /// Reads <paramref name="bytesPerSecond"/> octets each second straight from the socket (nothing buffered ahead)
    /// until the server closes or resets the connection or <paramref name="cancellationToken"/> ends it; returns the
    /// octets read and how long the connection lasted. <paramref name="started"/> is set after the first read.
    /// </summary>
    public static async Task<(long Read, TimeSpan Lasted)> ReadSlowlyAsync(
        Socket socket, int bytesPerSecond, TaskCompletionSource? started, CancellationToken cancellationToken)
    {
        var buffer = new byte[bytesPerSecond];
        var clock = Stopwatch.StartNew();
        long total = 0;
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                total += read;
                started?.TrySetResult();
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
        catch (SocketException)
        {
            // A reset: the server aborted the connection with replies unread, as it should.
        }
        catch (OperationCanceledException)
        {
            // The test's own end.
        }

        return (total, clock.Elapsed);
    }

    /// <summary>
    /// Sends <paramref name="text"/> one byte every <paramref name="interval"/> (at most <paramref name="maxBytes"/>)
    /// until the server answers or closes; returns the answer (null when it closed silently) and how long the drip went on.
    /// </summary>
    public static async Task<(string? Reply, TimeSpan Elapsed)> DripAsync(LineClient client, string text, TimeSpan interval, int maxBytes)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        var answer = client.ReadLineAsync(TimeSpan.FromSeconds(60));
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < maxBytes && !answer.IsCompleted; i++)
        {
            try
            {
                await client.SendRawAsync([bytes[i % bytes.Length]]);
            }
            catch (IOException)
            {
                // Closed between two drips.
                break;
            }

            await Task.WhenAny(answer, Task.Delay(interval));
        }

        string? reply;
        try
        {
            reply = await answer;
        }
        catch (IOException)
        {
            reply = null;
        }

        return (reply, clock.Elapsed);
    }
}
