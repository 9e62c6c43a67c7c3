using System.Buffers;
using System.Security.Cryptography;

namespace MailHost.Storage;

/// <summary>
/// Message content written once and read back, never held whole in memory: up to a threshold in 64 KiB chunks (no
/// large-object-heap growth), past it in an owner-only file in a spool directory, deleted on dispose unless a store
/// took it (<see cref="TakeFile"/>). Two writers use it: SMTP DATA and BDAT write the bytes as they arrive, so
/// nothing reaches the store before the content is complete and a connection lost halfway stores nothing; a store
/// takes a whole stream with <see cref="CreateAsync"/>, which also bounds the size, computes the SHA-256 content
/// address while streaming and makes the file durable. Not thread-safe.
/// </summary>
public sealed class MessageSpool : IAsyncDisposable
{
    private const int ChunkSize = 64 * 1024;

    private readonly string? _directory;
    private readonly int _memoryThreshold;
    private readonly string _fileNamePrefix;
    private readonly List<byte[]> _chunks = [];
    private int _lastChunkFill = ChunkSize;
    private FileStream? _file;
    private string? _filePath;
    private string? _contentAddress;

    /// <summary>
    /// An empty spool. Content up to <paramref name="memoryThreshold"/> octets stays in memory; past it the content
    /// moves to a file named <paramref name="fileNamePrefix"/> and a unique name in <paramref name="directory"/>,
    /// which is created owner-only when missing. Without a directory everything stays in memory.
    /// </summary>
    internal MessageSpool(string? directory, int memoryThreshold, string fileNamePrefix = "")
    {
        _directory = directory;
        _memoryThreshold = memoryThreshold;
        _fileNamePrefix = fileNamePrefix;
    }

    /// <summary>The content length in octets.</summary>
    public long Length { get; private set; }

    /// <summary>The SHA-256 of the content as lower-case hex: the content address. Only a spool made by <see cref="CreateAsync"/> has one.</summary>
    public string ContentAddress => _contentAddress ?? throw new InvalidOperationException("Only a spool made by CreateAsync has a content address.");

    /// <summary>
    /// The content as one array when it stayed under the threshold of a spool with a directory (a store keeps it in its
    /// database instead of a file); otherwise <see langword="null"/>.
    /// </summary>
    public byte[]? Inline { get; private set; }

    /// <summary>The temp file holding the content, while the spool still owns it; otherwise <see langword="null"/>.</summary>
    public string? FilePath => _filePath;

    /// <summary>The directory the spool file goes to; <see langword="null"/> when everything stays in memory.</summary>
    internal string? Directory => _directory;

    /// <summary>The in-memory chunks, all full but the last (memory mode only, after <see cref="CreateAsync"/>).</summary>
    internal IReadOnlyList<byte[]> Chunks => _filePath is null && Inline is null ? _chunks : throw new InvalidOperationException("The spool is not in memory.");

    /// <summary>
    /// Reads the content to its end (or to the size limit) into a spool whose file, if it has one, is fsynced before
    /// the spool is returned. A failure to write the spool file is <see cref="StoreErrorCode.InsufficientStorage"/> when the
    /// disk is full, otherwise <see cref="StoreErrorCode.Unavailable"/>;
    /// an exception from <paramref name="source"/> propagates.
    /// </summary>
    public static async Task<StoreResult<MessageSpool>> CreateAsync(Stream source, MessageSpoolOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        var spool = new MessageSpool(options.TempDirectory, options.InlineThreshold);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var completed = false;
        try
        {
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

                if (spool.Length + read > options.MaxSize)
                {
                    return StoreResult<MessageSpool>.Fail(StoreErrorCode.TooBig, "The message is larger than the store accepts.");
                }

                hash.AppendData(buffer, 0, read);
                await GuardAsync(spool.WriteAsync(buffer.AsMemory(0, read), cancellationToken)).ConfigureAwait(false);
            }

            await GuardAsync(spool.CompleteAsync(cancellationToken)).ConfigureAwait(false);
            spool._contentAddress = Convert.ToHexStringLower(hash.GetHashAndReset());
            completed = true;
            return spool;
        }
        catch (SpoolWriteException ex) when (StorageFailures.IsOutOfSpace(ex))
        {
            return StoreResult<MessageSpool>.Fail(StoreErrorCode.InsufficientStorage, "Insufficient system storage, try again later.");
        }
        catch (SpoolWriteException ex)
        {
            return StoreResult<MessageSpool>.Fail(StoreErrorCode.Unavailable, "The store could not write the message: " + ex.InnerException?.GetType().Name + ".");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (!completed)
            {
                await spool.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Appends <paramref name="data"/>, moving the content to the spool file when it passes the memory threshold.</summary>
    /// <exception cref="IOException">The spool file could not be created or written.</exception>
    /// <exception cref="UnauthorizedAccessException">The spool directory refuses the file.</exception>
    internal async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (data.IsEmpty)
        {
            return;
        }

        if (_file is null && _directory is not null && Length + data.Length > _memoryThreshold)
        {
            await MoveToFileAsync(_directory, cancellationToken).ConfigureAwait(false);
        }

        Length += data.Length;
        if (_file is not null)
        {
            await _file.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            return;
        }

        var span = data.Span;
        while (!span.IsEmpty)
        {
            if (_lastChunkFill == ChunkSize)
            {
                _chunks.Add(new byte[ChunkSize]);
                _lastChunkFill = 0;
            }

            var n = Math.Min(span.Length, ChunkSize - _lastChunkFill);
            span[..n].CopyTo(_chunks[^1].AsSpan(_lastChunkFill));
            _lastChunkFill += n;
            span = span[n..];
        }
    }

    /// <summary>
    /// The content from <paramref name="offset"/> to the end, for one reader at a time; the caller reads it and
    /// does not dispose it (the spool owns it). Call it only after the last write. This is the reader of content
    /// still being assembled (SMTP); <see cref="OpenRead"/> is the one for a spool made by <see cref="CreateAsync"/>.
    /// </summary>
    internal async ValueTask<Stream> OpenReadAsync(long offset, CancellationToken cancellationToken)
    {
        Stream stream;
        if (_file is not null)
        {
            await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream = _file;
        }
        else
        {
            TrimLastChunk();
            stream = new ChunkedReadStream(_chunks, Length);
        }

        stream.Position = offset;
        return stream;
    }

    /// <summary>
    /// A new seekable stream over the content from <paramref name="offset"/>, independent of every other reader (a
    /// filter that gave up mid-read cannot move another's position); the caller disposes it. Call it only after the
    /// last write.
    /// </summary>
    internal async ValueTask<Stream> OpenIndependentReadAsync(long offset, CancellationToken cancellationToken)
    {
        Stream stream;
        if (_file is not null)
        {
            await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream = new FileStream(_filePath!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        else
        {
            TrimLastChunk();
            stream = new ChunkedReadStream(_chunks, Length);
        }

        stream.Position = offset;
        return stream;
    }

    /// <summary>Opens the content of a spool made by <see cref="CreateAsync"/> for reading (for indexing); seekable, disposed by the caller.</summary>
    public Stream OpenRead()
    {
        if (Inline is not null)
        {
            return new MemoryStream(Inline, writable: false);
        }

        if (_filePath is null)
        {
            return new ChunkedReadStream(_chunks, Length);
        }

        return new FileStream(_filePath, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
    }

    /// <summary>Takes ownership of the temp file (the caller renames or deletes it); the spool no longer deletes it.</summary>
    public string? TakeFile()
    {
        var path = _filePath;
        _filePath = null;
        return path;
    }

    /// <summary>Deletes the temp file unless it was taken. In-memory chunks stay valid: a memory store keeps them as its copy.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_file is { } file)
        {
            _file = null;
            try
            {
                await file.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Closing flushes the last buffered bytes, which fails on a full disk; the handle is closed all the same,
                // and the content is being dropped anyway. The file must still go: no half-written spool file is left.
            }
        }

        if (TakeFile() is { } path)
        {
            TryDelete(path);
        }
    }

    /// <summary>
    /// Ends the writing of a store's spool: a file is flushed to disk and closed (the store renames it into place,
    /// so the bytes must be durable before any commit can reference them); memory content under a directory becomes
    /// <see cref="Inline"/>.
    /// </summary>
    private async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        if (_file is not null)
        {
            await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
            _file.Flush(flushToDisk: true);
            await _file.DisposeAsync().ConfigureAwait(false);
            _file = null;
            return;
        }

        TrimLastChunk();
        if (_directory is not null)
        {
            var inline = new byte[Length];
            var at = 0;
            foreach (var chunk in _chunks)
            {
                Buffer.BlockCopy(chunk, 0, inline, at, chunk.Length);
                at += chunk.Length;
            }

            Inline = inline;
            _chunks.Clear();
        }
    }

    /// <summary>ChunkedReadStream expects every chunk but the last to be full and the last to end with the content.</summary>
    private void TrimLastChunk()
    {
        if (_chunks.Count > 0 && _lastChunkFill < ChunkSize)
        {
            _chunks[^1] = _chunks[^1].AsSpan(0, _lastChunkFill).ToArray();
            _lastChunkFill = ChunkSize;
        }
    }

    private async ValueTask MoveToFileAsync(string directory, CancellationToken cancellationToken)
    {
        // Message content is private: the file is owner-only from its creation, never readable by other local users
        // while it waits for delivery, and stays so when a store renames it into its content tree.
        OwnerOnlyFiles.CreateDirectory(directory);
        var path = Path.Combine(directory, _fileNamePrefix + Guid.NewGuid().ToString("N") + ".tmp");
        // FileShare.Read: inbound filters read the finished content through handles of their own (on Windows a second
        // handle needs the first to share); the owner-only permissions still keep other users out.
        _file = OwnerOnlyFiles.Create(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
        _filePath = path;
        for (var i = 0; i < _chunks.Count; i++)
        {
            var fill = i == _chunks.Count - 1 ? _lastChunkFill : ChunkSize;
            await _file.WriteAsync(_chunks[i].AsMemory(0, fill), cancellationToken).ConfigureAwait(false);
        }

        _chunks.Clear();
        _lastChunkFill = ChunkSize;
    }

    /// <summary>Tells a failed write of the spool's own (disk full, no permission) apart from a failing source.</summary>
    private static async ValueTask GuardAsync(ValueTask write)
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

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for the start-up check of the store or the host, which removes stale spool files.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }

    private sealed class SpoolWriteException(Exception inner) : Exception("Writing the spool file failed.", inner);
}
