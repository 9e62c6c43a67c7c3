using System.Buffers;
using System.Security.Cryptography;

namespace MailHost.Storage;

/// <summary>
/// Incoming message content taken off a stream once: small content in memory, larger content in a temp file
/// that is fsynced before the spool is returned. The SHA-256 is computed while streaming; it is the content
/// address under which stores keep one copy for many recipients. Never holds a whole large message in memory.
/// </summary>
public sealed class MessageSpool : IAsyncDisposable
{
    private const int ChunkSize = 64 * 1024;

    private readonly List<byte[]>? _chunks;
    private string? _filePath;

    private MessageSpool(long length, byte[] sha256, byte[]? inline, List<byte[]>? chunks, string? filePath)
    {
        Length = length;
        ContentAddress = Convert.ToHexStringLower(sha256);
        Inline = inline;
        _chunks = chunks;
        _filePath = filePath;
    }

    /// <summary>The content length in octets.</summary>
    public long Length { get; }

    /// <summary>The SHA-256 of the content as lower-case hex: the content address.</summary>
    public string ContentAddress { get; }

    /// <summary>The content when it is at most the inline threshold; otherwise <see langword="null"/>.</summary>
    public byte[]? Inline { get; }

    /// <summary>The fsynced temp file holding the content, while the spool still owns it; otherwise <see langword="null"/>.</summary>
    public string? FilePath => _filePath;

    /// <summary>Takes ownership of the temp file (the caller renames or deletes it); the spool no longer deletes it.</summary>
    public string? TakeFile()
    {
        var path = _filePath;
        _filePath = null;
        return path;
    }

    /// <summary>
    /// Reads the content to its end (or to the size limit) into a spool. A failure to write the spool file (disk
    /// full) is <see cref="StoreErrorCode.Unavailable"/>; an exception from <paramref name="source"/> propagates.
    /// </summary>
    public static async Task<StoreResult<MessageSpool>> CreateAsync(Stream source, MessageSpoolOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return await SpoolAsync(source, options, cancellationToken).ConfigureAwait(false);
        }
        catch (SpoolWriteException ex)
        {
            return StoreResult<MessageSpool>.Fail(StoreErrorCode.Unavailable, "The store could not write the message: " + ex.InnerException?.GetType().Name + ".");
        }
    }

    private static async Task<StoreResult<MessageSpool>> SpoolAsync(Stream source, MessageSpoolOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var chunks = new List<byte[]>();
        FileStream? file = null;
        string? path = null;
        long length = 0;
        try
        {
            var chunk = new byte[ChunkSize];
            var chunkFill = 0;
            while (true)
            {
                // A whole chunk per round (a network source hands over a few kilobytes per read): one file write
                // and one hash update per chunk instead of one per read.
                var read = 0;
                int got;
                do
                {
                    got = await source.ReadAsync(buffer.AsMemory(read, ChunkSize - read), cancellationToken).ConfigureAwait(false);
                    read += got;
                }
                while (got > 0 && read < ChunkSize);

                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > options.MaxSize)
                {
                    return StoreResult<MessageSpool>.Fail(StoreErrorCode.TooBig, "The message is larger than the store accepts.");
                }

                hash.AppendData(buffer, 0, read);
                if (file is not null)
                {
                    await Guard(file.WriteAsync(buffer.AsMemory(0, read), cancellationToken)).ConfigureAwait(false);
                    continue;
                }

                // In memory so far: fill fixed-size chunks (no large-object-heap growth).
                var offset = 0;
                while (offset < read)
                {
                    var n = Math.Min(read - offset, ChunkSize - chunkFill);
                    Buffer.BlockCopy(buffer, offset, chunk, chunkFill, n);
                    chunkFill += n;
                    offset += n;
                    if (chunkFill == ChunkSize)
                    {
                        chunks.Add(chunk);
                        chunk = new byte[ChunkSize];
                        chunkFill = 0;
                    }
                }

                if (options.TempDirectory is not null && length > options.InlineThreshold)
                {
                    path = Path.Combine(options.TempDirectory, Guid.NewGuid().ToString("N") + ".tmp");
                    try
                    {
                        // Owner-only from the start: the file is renamed into the content store as it is.
                        OwnerOnlyFiles.CreateDirectory(options.TempDirectory);
                        file = OwnerOnlyFiles.Create(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        throw new SpoolWriteException(ex);
                    }

                    foreach (var full in chunks)
                    {
                        await Guard(file.WriteAsync(full, cancellationToken)).ConfigureAwait(false);
                    }

                    await Guard(file.WriteAsync(chunk.AsMemory(0, chunkFill), cancellationToken)).ConfigureAwait(false);
                    chunks.Clear();
                    chunkFill = 0;
                }
            }

            var sha = hash.GetHashAndReset();
            if (file is not null)
            {
                await Guard(new ValueTask(file.FlushAsync(cancellationToken))).ConfigureAwait(false);
                try
                {
                    // Durability: the bytes are on disk before any commit can reference them.
                    file.Flush(flushToDisk: true);
                }
                catch (IOException ex)
                {
                    throw new SpoolWriteException(ex);
                }

                await file.DisposeAsync().ConfigureAwait(false);
                file = null;
                var spool = new MessageSpool(length, sha, null, null, path);
                path = null;
                return spool;
            }

            if (chunkFill > 0)
            {
                chunks.Add(chunk.AsSpan(0, chunkFill).ToArray());
            }

            if (options.TempDirectory is not null)
            {
                var inline = new byte[length];
                var at = 0;
                foreach (var c in chunks)
                {
                    Buffer.BlockCopy(c, 0, inline, at, c.Length);
                    at += c.Length;
                }

                return new MessageSpool(length, sha, inline, null, null);
            }

            return new MessageSpool(length, sha, null, chunks, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (file is not null)
            {
                await file.DisposeAsync().ConfigureAwait(false);
            }

            if (path is not null)
            {
                TryDelete(path);
            }
        }
    }

    private static async ValueTask Guard(ValueTask write)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SpoolWriteException(ex);
        }
    }

    /// <summary>Opens the content for reading (for indexing); seekable.</summary>
    public Stream OpenRead()
    {
        if (Inline is not null)
        {
            return new MemoryStream(Inline, writable: false);
        }

        if (_chunks is not null)
        {
            return new ChunkedReadStream(_chunks, Length);
        }

        return new FileStream(_filePath ?? throw new InvalidOperationException("The spool file was taken."), FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
    }

    /// <summary>The in-memory chunks (memory mode only).</summary>
    internal IReadOnlyList<byte[]> Chunks => _chunks ?? throw new InvalidOperationException("The spool is not in memory.");

    /// <summary>Deletes the temp file unless it was taken.</summary>
    public ValueTask DisposeAsync()
    {
        if (TakeFile() is { } path)
        {
            TryDelete(path);
        }

        return ValueTask.CompletedTask;
    }

    private sealed class SpoolWriteException(Exception inner) : Exception("Writing the spool file failed.", inner);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for the store's start-up check, which removes stale spool files.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
