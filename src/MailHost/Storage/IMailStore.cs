namespace MailHost.Storage;

/// <summary>
/// The message store: the entry point that protocol sessions and delivery use. It knows accounts only by their
/// canonical account name (the account directory lives in <c>MailHost.Accounts</c>). Implementations are safe
/// for concurrent use and keep no per-session state, so several hosts may share one store.
/// </summary>
/// <remarks>
/// Every write is durable when its task completes successfully: a session may answer <c>OK</c> or <c>250</c> at
/// once (SECURITY.md rule 5). Failures are values (<see cref="StoreError"/>); exceptions mean programming errors,
/// cancellation, or a broken input stream.
/// </remarks>
public interface IMailStore : IAsyncDisposable
{
    /// <summary>The limits this store enforces.</summary>
    MailStoreLimits Limits { get; }

    /// <summary>
    /// Opens an account for an authenticated session, creating it on first use with INBOX and the special-use
    /// mailboxes Sent, Drafts, Trash, Junk and Archive (RFC 6154), all subscribed.
    /// </summary>
    /// <param name="accountName">The canonical account name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask<StoreResult<IMailAccount>> OpenAccountAsync(string accountName, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes an account with everything the store keeps for it, in one durable step: its mailboxes and messages
    /// (content that no other message references is released, its file deleted), subscriptions, thread and expunge
    /// records, and its quota limits and usage. Views of its mailboxes see them gone; handles opened before fail with
    /// <see cref="StoreErrorCode.AccountRemoved"/>. An account opened or delivered to later under the same name starts
    /// empty. <see cref="StoreErrorCode.NotFound"/> if there is none.
    /// </summary>
    ValueTask<StoreResult> DeleteAccountAsync(string accountName, CancellationToken cancellationToken);

    /// <summary>Sets an account's quota limits; <see langword="null"/> returns it to the store's defaults.</summary>
    ValueTask<StoreResult> SetQuotaLimitsAsync(string accountName, QuotaLimits? limits, CancellationToken cancellationToken);

    /// <summary>
    /// Delivers one message to many mailboxes (SMTP): the content is read once, stored once (content-addressed)
    /// and referenced by every target. Targets fail one by one (over quota, no such mailbox) without failing the
    /// others; the whole call fails only when the content cannot be stored (too big, I/O).
    /// Every copy reported as stored is durable when the task completes.
    /// </summary>
    /// <param name="content">The message; read to its end, not disposed.</param>
    /// <param name="targets">The recipients' mailboxes; accounts are created on first delivery.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    ValueTask<StoreResult<DeliveryResult>> DeliverAsync(Stream content, IReadOnlyList<DeliveryTarget> targets, CancellationToken cancellationToken);
}
