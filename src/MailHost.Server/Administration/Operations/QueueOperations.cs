using MailHost.Accounts;
using MailHost.Delivery;
using MailHost.Delivery.Queue;

namespace MailHost.Server.Administration.Operations;

/// <summary>
/// The outbound queue as the console and the API see it: list, show, retry now (the worker of this host is woken at
/// once; other hosts find the message at their next poll) and remove, the changes audited. Empty when outbound
/// delivery is off.
/// </summary>
internal sealed class QueueOperations(AdminAudit audit, IOutboundQueueStore? queue = null, OutboundQueueSignal? signal = null)
{
    /// <summary>Whether there is a queue (outbound delivery is on).</summary>
    public bool Enabled => queue is not null;

    public async Task<IReadOnlyList<QueuedMessage>> ListAsync(CancellationToken cancellationToken) =>
        queue is null ? [] : await queue.ListAsync(cancellationToken).ConfigureAwait(false);

    public async Task<QueuedMessage?> GetAsync(string id, CancellationToken cancellationToken) =>
        queue is null ? null : await queue.GetAsync(id, cancellationToken).ConfigureAwait(false);

    /// <summary>Makes the message due now; false when there is no such message.</summary>
    public async Task<bool> RetryAsync(AdminActor actor, string id, CancellationToken cancellationToken)
    {
        if (queue is null || await queue.RetryAsync(id, cancellationToken).ConfigureAwait(false) == 0)
        {
            return false;
        }

        signal?.Notify();
        await audit.RecordAsync(actor, AuditActions.QueueRetry, id, null, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Removes the message without notifying its sender; false when there is no such message.</summary>
    public async Task<bool> RemoveAsync(AdminActor actor, string id, CancellationToken cancellationToken)
    {
        if (queue is null || !await queue.RemoveAsync(id, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await audit.RecordAsync(actor, AuditActions.QueueRemove, id, null, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
