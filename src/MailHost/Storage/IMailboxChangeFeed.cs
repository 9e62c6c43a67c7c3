namespace MailHost.Storage;

/// <summary>
/// The wake-up signal behind <see cref="IMailboxView.WaitForChangesAsync"/>: a store publishes a mailbox's new
/// HIGHESTMODSEQ after each durable change, and views wait for it. It carries no data (views read the changes from
/// the store), so a cross-host implementation (PostgreSQL LISTEN/NOTIFY) only has to deliver the signal.
/// </summary>
public interface IMailboxChangeFeed
{
    /// <summary>Announces that <paramref name="mailboxId"/> reached <paramref name="highestModSeq"/> (or was deleted: <see cref="ulong.MaxValue"/>).</summary>
    void Publish(long mailboxId, ulong highestModSeq);

    /// <summary>Completes once a change above <paramref name="knownModSeq"/> was published for the mailbox.</summary>
    ValueTask WaitAsync(long mailboxId, ulong knownModSeq, CancellationToken cancellationToken);
}
