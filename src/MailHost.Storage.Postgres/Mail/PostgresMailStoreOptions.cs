namespace MailHost.Storage.Postgres.Mail;

/// <summary>Options of <see cref="PostgresMailStore"/>.</summary>
public sealed record PostgresMailStoreOptions
{
    /// <summary>The Npgsql connection string of the shared database.</summary>
    public string ConnectionString { get; init; } = string.Empty;

    /// <summary>Limits on names, sizes, MIME structure and search.</summary>
    public MailStoreLimits Limits { get; init; } = MailStoreLimits.Default;

    /// <summary>Quota for accounts without their own limits.</summary>
    public QuotaLimits DefaultQuota { get; init; } = QuotaLimits.Unlimited;

    /// <summary>Octets per stored content row; a message is written and read one chunk at a time. Default 256 KiB.</summary>
    public int ContentChunkSize { get; init; } = 256 * 1024;

    /// <summary>
    /// This host's name among the hosts sharing the database: rows kept for this host's open views (RFC 2180 §4.1.1)
    /// carry it, and only this host releases them, also those a crash left behind, when it starts again. Every
    /// host needs its own; the machine name by default.
    /// </summary>
    public string InstanceId { get; init; } = Environment.MachineName;

    /// <summary>
    /// How long an open mailbox, once its state was read, is taken to be current for as long as the change feed
    /// announces nothing new of it: its polls (after each IMAP command) and its large FETCHes then need no query.
    /// Changes made on this host are announced before they are acknowledged; other hosts' arrive within milliseconds,
    /// and this bounds how late one can be seen when its notification is delayed or the LISTEN connection broke
    /// unnoticed. Default one second; <see cref="TimeSpan.Zero"/> reads at every poll.
    /// </summary>
    public TimeSpan ChangeFeedTrust { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Octets of small messages (up to 64 KiB each) this host keeps in memory by content, so that FETCHes of the same
    /// messages' headers or bodies, as clients repeat at every sync, do not read them from the database again. Content
    /// never changes once stored, so what is kept is never stale. Default 32 MiB; zero keeps nothing.
    /// </summary>
    public long ContentCacheBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Where incoming content is spooled while it is indexed, before it goes into the database; the temp directory by default.</summary>
    public string? SpoolDirectory { get; init; }
}
