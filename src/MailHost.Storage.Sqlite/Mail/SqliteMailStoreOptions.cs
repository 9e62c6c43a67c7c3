namespace MailHost.Storage.Sqlite.Mail;

/// <summary>Options of <see cref="SqliteMailStore"/>.</summary>
public sealed class SqliteMailStoreOptions
{
    /// <summary>The data directory: the database is <c>mail.db</c> there and content files live under <c>blobs/</c>.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Content up to this many octets is stored inside the database; larger content in its own file. Default 64 KiB.</summary>
    public int InlineThreshold { get; set; } = 64 * 1024;

    /// <summary>
    /// Whether concurrent writes share one transaction and one fsync (group commit). On by default; off makes
    /// every write pay its own commit, which only benchmarks want.
    /// </summary>
    public bool GroupCommit { get; set; } = true;

    /// <summary>Most write requests committed together in one transaction.</summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>
    /// Most memory each reader connection keeps of the database's pages (SQLite's <c>cache_size</c>), 16 MiB by
    /// default. Each connection that reads has its own cache, filled only as pages are read; SQLite's own default (2
    /// MiB) is smaller than the trigram index's lists for a few common words, so text, header and address searches
    /// would read the same pages from the file again on every search. Zero leaves SQLite's default.
    /// </summary>
    public long ReaderCacheBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Quota for accounts without their own limits.</summary>
    public QuotaLimits DefaultQuota { get; set; } = QuotaLimits.Unlimited;

    /// <summary>
    /// Whether this instance looks after the store: the check and repair when it opens (which deletes spool and content
    /// files that no row refers to, so it assumes no other process is writing) and the background text indexing. On by
    /// default; an admin command that opens the store beside a running server (to delete a removed account's mail)
    /// turns it off.
    /// </summary>
    public bool Maintenance { get; set; } = true;

    /// <summary>
    /// How long a write waits for a lock another process holds on the database (an admin command, a backup tool) before
    /// it fails with <see cref="StoreErrorCode.Unavailable"/>, which clients are told as a temporary error. Default 30
    /// seconds; whole seconds count.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Limits on names, sizes, MIME structure and search.</summary>
    public MailStoreLimits Limits { get; set; } = MailStoreLimits.Default;
}
