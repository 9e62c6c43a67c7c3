using MailHost.Storage;

namespace MailHost.Smtp;

/// <summary>
/// The content of one SMTP transaction between the first byte and delivery: in memory (64 KiB chunks) up to a
/// threshold, then in a temp file deleted on dispose. The session writes it as the bytes arrive, so no message is
/// ever held whole; nothing is handed to the store before the content is complete, so a connection lost halfway
/// stores nothing. Not thread-safe.
/// </summary>
internal sealed class SmtpSpool : IAsyncDisposable
{
    private const int ChunkSize = 64 * 1024;

    private readonly string _directory;
    private readonly int _memoryThreshold;
    private readonly List<byte[]> _chunks = [];
    private int _lastChunkFill = ChunkSize;
    private FileStream? _file;

    private static readonly Lock DefaultDirectoryGate = new();
    private static string? s_defaultDirectory;

    public SmtpSpool(string? directory, int memoryThreshold)
    {
        _directory = string.IsNullOrEmpty(directory) ? DefaultDirectory() : directory;
        _memoryThreshold = memoryThreshold;
    }

    /// <summary>The directory the files go to.</summary>
    public string Directory => _directory;

    /// <summary>The file holding the content once it passed the memory threshold; <see langword="null"/> while in memory.</summary>
    internal string? FilePath => _file?.Name;

    /// <summary>
    /// Where content goes when <see cref="SmtpOptions.SpoolDirectory"/> names no directory: a directory of this
    /// process's own under the system's temporary directory, created once with a unique name and mode 0700
    /// (<see cref="System.IO.Directory.CreateTempSubdirectory"/>), so other local users can neither read the files nor
    /// place anything in their way. The host sets a directory under its data directory instead.
    /// </summary>
    internal static string DefaultDirectory()
    {
        lock (DefaultDirectoryGate)
        {
            if (s_defaultDirectory is null || !System.IO.Directory.Exists(s_defaultDirectory))
            {
                s_defaultDirectory = System.IO.Directory.CreateTempSubdirectory("mailhost-smtp-").FullName;
            }

            return s_defaultDirectory;
        }
    }

    /// <summary>Octets written so far.</summary>
    public long Length { get; private set; }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (data.IsEmpty)
        {
            return;
        }

        if (_file is null && Length + data.Length > _memoryThreshold)
        {
            await MoveToFileAsync(cancellationToken).ConfigureAwait(false);
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
    /// does not dispose it (the spool owns it). Call it only after the last write.
    /// </summary>
    public async ValueTask<Stream> OpenReadAsync(long offset, CancellationToken cancellationToken)
    {
        Stream stream;
        if (_file is not null)
        {
            await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream = _file;
        }
        else
        {
            // ChunkedReadStream expects every chunk but the last to be full and the last to end with the content.
            if (_chunks.Count > 0 && _lastChunkFill < ChunkSize)
            {
                _chunks[^1] = _chunks[^1].AsSpan(0, _lastChunkFill).ToArray();
                _lastChunkFill = ChunkSize;
            }

            stream = new ChunkedReadStream(_chunks, Length);
        }

        stream.Position = offset;
        return stream;
    }

    public async ValueTask DisposeAsync()
    {
        _chunks.Clear();
        if (_file is not null)
        {
            // FileOptions.DeleteOnClose removes the file.
            await _file.DisposeAsync().ConfigureAwait(false);
            _file = null;
        }
    }

    private async ValueTask MoveToFileAsync(CancellationToken cancellationToken)
    {
        // Message content is private: the file is owner-only from its creation, never readable by other local users
        // while it waits for delivery.
        OwnerOnlyFiles.CreateDirectory(_directory);
        var path = Path.Combine(_directory, "mailhost-smtp-" + Guid.NewGuid().ToString("N") + ".tmp");
        _file = OwnerOnlyFiles.Create(
            path,
            FileMode.CreateNew,
            FileAccess.ReadWrite,
            FileShare.None,
            64 * 1024,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        for (var i = 0; i < _chunks.Count; i++)
        {
            var fill = i == _chunks.Count - 1 ? _lastChunkFill : ChunkSize;
            await _file.WriteAsync(_chunks[i].AsMemory(0, fill), cancellationToken).ConfigureAwait(false);
        }

        _chunks.Clear();
        _lastChunkFill = ChunkSize;
    }
}
