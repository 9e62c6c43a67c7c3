using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;

namespace MailHost.Filtering.ClamAv;

/// <summary>
/// Speaks clamd's protocol (clamd(8), "COMMANDS"): one connection per command, z-prefixed commands and NUL-terminated
/// replies. Thread-safe: it holds no connection between calls.
/// </summary>
/// <remarks>
/// Cancelling the token closes the socket: a pending connect, read or write ends at once, and clamd sees the
/// connection end and drops the scan. Transport failures surface as <see cref="SocketException"/> or
/// <see cref="IOException"/>; replies that are no answer as <see cref="ClamdException"/>.
/// </remarks>
internal sealed class ClamdClient
{
    /// <summary>The longest reply read before the NUL; clamd's replies are one short line.</summary>
    public const int MaxReplyLength = 4096;

    // clamd(8): "It's recommended to prefix clamd commands with the letter z ... to indicate that the command will be
    // delimited by a NULL character"; INSTREAM must be prefixed (n or z). The reply ends with the same terminator.
    private static readonly byte[] PingCommand = "zPING\0"u8.ToArray();
    private static readonly byte[] InstreamCommand = "zINSTREAM\0"u8.ToArray();

    /// <summary>Talks to clamd at <paramref name="address"/>, streaming in chunks of <paramref name="chunkSize"/> octets.</summary>
    public ClamdClient(ClamdAddress address, int chunkSize)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        Address = address;
        ChunkSize = chunkSize;
    }

    /// <summary>Where clamd listens.</summary>
    public ClamdAddress Address { get; }

    /// <summary>The octets of one INSTREAM chunk.</summary>
    public int ChunkSize { get; }

    /// <summary>
    /// Sends <c>zPING</c>; completes when clamd answers <c>PONG</c> (a health check: the daemon is up and reading
    /// commands). Throws <see cref="ClamdException"/> on any other reply.
    /// </summary>
    public Task PingAsync(CancellationToken cancellationToken)
        => ExchangeAsync(static async (stream, _, cancellationToken) =>
        {
            await stream.WriteAsync(PingCommand, cancellationToken).ConfigureAwait(false);
            var reply = await ReadReplyAsync(stream, cancellationToken).ConfigureAwait(false);
            return reply == "PONG" ? true : throw new ClamdException($"clamd answered PING with '{ClamdReply.Printable(reply)}', not PONG.");
        }, this, cancellationToken);

    /// <summary>
    /// Streams <paramref name="content"/> to clamd with <c>zINSTREAM</c> and returns its verdict. The content is read
    /// forward once, through one pooled buffer of <see cref="ChunkSize"/> octets; the caller disposes it.
    /// </summary>
    public Task<ClamdScanResult> ScanAsync(Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        return ExchangeAsync(static (stream, state, cancellationToken) => state.Client.InstreamAsync(stream, state.Content, cancellationToken), (Client: this, Content: content), cancellationToken);
    }

    /// <summary>Reads one reply up to its NUL, which is not part of the result.</summary>
    private static async Task<string> ReadReplyAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxReplyLength);
        try
        {
            var length = 0;
            while (true)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(length, MaxReplyLength - length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new ClamdException(length == 0
                        ? "clamd closed the connection without a reply."
                        : $"clamd closed the connection before the end of its reply (no NUL): '{ClamdReply.Printable(ClamdReply.Decode(buffer.AsSpan(0, length)))}'.");
                }

                var end = buffer.AsSpan(length, read).IndexOf((byte)0);
                if (end >= 0)
                {
                    // Octets after the NUL are ignored: clamd closes the connection after one INSTREAM or PING.
                    return ClamdReply.Decode(buffer.AsSpan(0, length + end));
                }

                length += read;
                if (length == MaxReplyLength)
                {
                    throw new ClamdException($"clamd's reply has no NUL in its first {MaxReplyLength} octets: '{ClamdReply.Printable(ClamdReply.Decode(buffer.AsSpan(0, length)))}'.");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Marks a task's failure as seen, for a reply read that no one awaits once sending failed.</summary>
    private static void Observe(Task task)
        => task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>
    /// One command on a new connection, which is closed afterwards and as soon as the token is cancelled (a pending
    /// socket operation on some platforms ignores the token; a closed socket ends every one of them).
    /// </summary>
    private async Task<TResult> ExchangeAsync<TState, TResult>(
        Func<NetworkStream, TState, CancellationToken, Task<TResult>> exchange, TState state, CancellationToken cancellationToken)
    {
        var socket = await Address.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var stream = new NetworkStream(socket, ownsSocket: true);
        await using (stream.ConfigureAwait(false))
        {
            using var closeOnCancel = cancellationToken.UnsafeRegister(static s => ((Socket)s!).Dispose(), socket);
            try
            {
                return await exchange(stream, state, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is not OperationCanceledException)
            {
                // The closed socket shows as ObjectDisposedException or SocketException; the cause was the caller.
                throw new OperationCanceledException("The clamd exchange was cancelled.", ex, cancellationToken);
            }
        }
    }

    private async Task<ClamdScanResult> InstreamAsync(NetworkStream stream, Stream content, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(InstreamCommand, cancellationToken).ConfigureAwait(false);

        // The reply is read while the chunks go out: clamd answers "INSTREAM size limit exceeded" as soon as the
        // stream passes its StreamMaxLength and closes the connection (clamd(8), INSTREAM). Read late, that answer
        // would be lost behind a reset connection; read now, it stops the sending.
        var reply = ReadReplyAsync(stream, cancellationToken);
        (bool SentAll, IOException? WriteFailure) sent;
        try
        {
            sent = await SendChunksAsync(stream, content, reply, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Reading the message failed (or the caller cancelled): the socket closes and ends the reply's read.
            Observe(reply);
            throw;
        }

        string text;
        try
        {
            text = await reply.ConfigureAwait(false);
        }
        catch (Exception ex) when (sent.WriteFailure is not null && ex is ClamdException or IOException)
        {
            throw new IOException($"Sending the message to clamd at {Address} failed: {sent.WriteFailure.Message}", sent.WriteFailure);
        }

        // After a failed write, clamd's answer still counts if it got through (it answered and closed early).
        return Parse(text, sent.SentAll);
    }

    /// <summary>
    /// Sends the content as INSTREAM chunks, each a 4-octet big-endian length and that many octets, then the
    /// zero-length chunk that ends the stream (clamd(8), INSTREAM). Stops early when clamd has already answered, and
    /// at a failed write (the connection is gone; the reply may still have arrived), which it returns.
    /// </summary>
    private async Task<(bool SentAll, IOException? WriteFailure)> SendChunksAsync(NetworkStream stream, Stream content, Task<string> reply, CancellationToken cancellationToken)
    {
        // One buffer holds the length prefix and the data, so that each chunk is one write.
        var buffer = ArrayPool<byte>.Shared.Rent(sizeof(uint) + ChunkSize);
        try
        {
            while (!reply.IsCompleted)
            {
                var read = await content.ReadAtLeastAsync(buffer.AsMemory(sizeof(uint), ChunkSize), ChunkSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                BinaryPrimitives.WriteUInt32BigEndian(buffer, (uint)read);
                try
                {
                    await stream.WriteAsync(buffer.AsMemory(0, sizeof(uint) + read), cancellationToken).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    return (false, ex);
                }

                if (read == 0)
                {
                    return (true, null);
                }
            }

            return (false, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private ClamdScanResult Parse(string reply, bool sentAll)
    {
        var result = ClamdReply.ParseScan(reply);

        // A verdict before the end of the stream cannot cover the whole message: clamd scans once the zero-length chunk
        // arrived. An early "OK" would let unscanned octets through, so it is no answer.
        if (!sentAll && result.Status == ClamdScanStatus.Clean)
        {
            throw new ClamdException($"clamd at {Address} answered '{ClamdReply.Printable(reply)}' before the end of the stream.");
        }

        return result;
    }
}
