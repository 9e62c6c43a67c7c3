using System.IO.Pipelines;

namespace MailHost.Storage;

/// <summary>Store calls that take a <see cref="PipeReader"/> (an APPEND literal, SMTP DATA) instead of a stream.</summary>
internal static class MailStorePipeExtensions
{
    /// <summary>APPEND from a pipe; reads the pipe to its completion. See <see cref="IMailAccount.AppendAsync"/>.</summary>
    public static async ValueTask<StoreResult<AppendResult>> AppendAsync(this IMailAccount account, string mailbox, PipeReader content, AppendOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(content);
        var stream = content.AsStream(leaveOpen: true);
        await using (stream.ConfigureAwait(false))
        {
            return await account.AppendAsync(mailbox, stream, options, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Delivery from a pipe; reads the pipe to its completion. See <see cref="IMailStore.DeliverAsync"/>.</summary>
    public static async ValueTask<StoreResult<DeliveryResult>> DeliverAsync(this IMailStore store, PipeReader content, IReadOnlyList<DeliveryTarget> targets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(content);
        var stream = content.AsStream(leaveOpen: true);
        await using (stream.ConfigureAwait(false))
        {
            return await store.DeliverAsync(stream, targets, cancellationToken).ConfigureAwait(false);
        }
    }
}
