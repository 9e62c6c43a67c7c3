namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// The bytes of a FETCH page's small messages, found in this host's <see cref="ContentCache"/> or read in one query
/// with the page, for the content handles of that page only: a FETCH of header fields for 20 messages would otherwise
/// open each of them with a query of its own. The view
/// holds every message of the page while the FETCH runs, so none of these bytes can be released meanwhile; the page
/// ends with <see cref="Clear"/>, and a handle opened after that reads the database, where a released content is gone.
/// </summary>
internal sealed class ContentReadAhead
{
    /// <summary>What one page may hold: small messages, up to this many bytes in all (the rest is opened as usual).</summary>
    public const long MaxBytesPerPage = 1024 * 1024;

    /// <summary>A message larger than this is never read ahead.</summary>
    public const long MaxMessageSize = 64 * 1024;

    private Dictionary<string, byte[]>? _bytes;

    public ContentReadAhead(Dictionary<string, byte[]> bytes) => _bytes = bytes;

    /// <summary>The addresses worth reading ahead among <paramref name="messages"/> (size, address), within the page's budget.</summary>
    public static List<string> Choose(IEnumerable<(long Size, string? Address)> messages)
    {
        var chosen = new List<string>();
        long total = 0;
        foreach (var (size, address) in messages)
        {
            if (address is not null && size <= MaxMessageSize && total + size <= MaxBytesPerPage)
            {
                chosen.Add(address);
                total += size;
            }
        }

        return chosen;
    }

    /// <summary>A stream over the read-ahead bytes of <paramref name="address"/>, or null when they are not (or no longer) here.</summary>
    public Stream? Open(string address, long offset, long length)
    {
        var bytes = Volatile.Read(ref _bytes);
        if (bytes is null || !bytes.TryGetValue(address, out var content))
        {
            return null;
        }

        offset = Math.Clamp(offset, 0, content.Length);
        length = Math.Clamp(length, 0, content.Length - offset);
        return new MemoryStream(content, (int)offset, (int)length, writable: false);
    }

    /// <summary>Ends the page: later opens read the database.</summary>
    public void Clear() => Volatile.Write(ref _bytes, null);
}
