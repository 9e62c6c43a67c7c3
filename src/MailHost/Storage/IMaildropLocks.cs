namespace MailHost.Storage;

/// <summary>
/// The exclusive maildrop lock of RFC 1939 §8 ("the POP3 server acquires an exclusive-access lock on the
/// maildrop"): one POP3 session per account at a time, across every host that shares the store. A store shared by
/// several hosts provides its own; the default holds the lock in this process.
/// </summary>
public interface IMaildropLocks
{
    /// <summary>
    /// Takes the lock of <paramref name="accountName"/>; disposing the returned handle releases it. <see langword="null"/>
    /// when another session, on this host or another, holds it. A lock whose holder dies (its process, its host) is
    /// released by itself.
    /// </summary>
    ValueTask<IAsyncDisposable?> TryAcquireAsync(string accountName, CancellationToken cancellationToken);
}
