namespace MailHost.Storage;

/// <summary>
/// One account in the authenticated state (RFC 9051 §6.3): mailboxes, subscriptions, status and append. Mailbox
/// names are checked with <see cref="MailboxName.Normalize"/>; a bad name is <see cref="StoreErrorCode.InvalidName"/>.
/// </summary>
/// <remarks>
/// A handle belongs to the account as it was when opened, not to its name: once the account is deleted
/// (<see cref="IMailStore.DeleteAccountAsync"/>) every call that returns a result fails with
/// <see cref="StoreErrorCode.AccountRemoved"/> and the lists are empty, also after an account of the same name has
/// been created again. Nothing written through an old handle can reach the new account.
/// </remarks>
public interface IMailAccount : IAsyncDisposable
{
    /// <summary>The canonical account name.</summary>
    string AccountName { get; }

    /// <summary>
    /// Every mailbox of the account, sorted by name, with <c>\HasChildren</c>/<c>\HasNoChildren</c>,
    /// <c>\Noselect</c>, <c>\Subscribed</c> and special-use attributes. LIST pattern matching is the session's job.
    /// </summary>
    ValueTask<IReadOnlyList<MailboxInfo>> ListMailboxesAsync(CancellationToken cancellationToken);

    /// <summary>Subscribed names, sorted; they may name mailboxes that no longer exist (RFC 9051 §6.3.9).</summary>
    ValueTask<IReadOnlyList<string>> ListSubscriptionsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// CREATE (RFC 9051 §6.3.4): creates the mailbox and any missing superior levels, with a fresh UIDVALIDITY.
    /// <paramref name="specialUse"/> sets a special-use role (RFC 6154 CREATE-SPECIAL-USE); only bits of
    /// <see cref="MailboxAttributes.SpecialUseMask"/> are allowed.
    /// </summary>
    ValueTask<StoreResult> CreateMailboxAsync(string name, MailboxAttributes specialUse, CancellationToken cancellationToken);

    /// <summary>
    /// DELETE (RFC 9051 §6.3.5). INBOX cannot be deleted (<see cref="StoreErrorCode.NotAllowed"/>). A mailbox with
    /// children loses its messages and becomes <c>\Noselect</c>; a <c>\Noselect</c> mailbox with children is
    /// <see cref="StoreErrorCode.HasChildren"/>. Subscriptions are kept. Open views of it see it gone.
    /// </summary>
    ValueTask<StoreResult> DeleteMailboxAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// RENAME (RFC 9051 §6.3.6): renames the mailbox and its children (keeping UIDVALIDITY and UIDs), creating
    /// missing superiors of the new name, and moves subscriptions along. Renaming INBOX moves its messages into a
    /// new mailbox and leaves INBOX empty; its children stay. A mailbox cannot be renamed below itself.
    /// </summary>
    ValueTask<StoreResult> RenameMailboxAsync(string name, string newName, CancellationToken cancellationToken);

    /// <summary>SUBSCRIBE: adds a valid name to the subscriptions (the mailbox need not exist).</summary>
    ValueTask<StoreResult> SubscribeAsync(string name, CancellationToken cancellationToken);

    /// <summary>UNSUBSCRIBE: removes a name; <see cref="StoreErrorCode.NotFound"/> if it was not subscribed.</summary>
    ValueTask<StoreResult> UnsubscribeAsync(string name, CancellationToken cancellationToken);

    /// <summary>STATUS (RFC 9051 §6.3.11); <see cref="StoreErrorCode.NotFound"/> for a missing or <c>\Noselect</c> mailbox.</summary>
    ValueTask<StoreResult<MailboxStatus>> GetStatusAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Whether messages can be put into the mailbox, without counting them: what APPEND checks before it asks the
    /// client for the message (RFC 9051 §6.3.12). <see cref="StoreErrorCode.NotFound"/> for a missing or
    /// <c>\Noselect</c> mailbox, <see cref="StoreErrorCode.InvalidName"/> for a name no mailbox can have.
    /// </summary>
    ValueTask<StoreResult> CheckMailboxAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// APPEND (RFC 9051 §6.3.12): streams <paramref name="content"/> into the store (never buffering the whole
    /// message), indexes it and stores it durably. <see cref="StoreErrorCode.NotFound"/> means the session answers
    /// <c>[TRYCREATE]</c>; also <see cref="StoreErrorCode.OverQuota"/>, <see cref="StoreErrorCode.TooBig"/>,
    /// <see cref="StoreErrorCode.LimitExceeded"/> (keywords), <see cref="StoreErrorCode.InvalidArgument"/> (keyword syntax).
    /// </summary>
    /// <param name="mailbox">The target mailbox.</param>
    /// <param name="content">The message; read to its end (or to the size limit), not disposed.</param>
    /// <param name="options">Flags, keywords, INTERNALDATE.</param>
    /// <param name="cancellationToken">Cancels the call; nothing is stored then.</param>
    ValueTask<StoreResult<AppendResult>> AppendAsync(string mailbox, Stream content, AppendOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// SELECT (read-write) or EXAMINE (<paramref name="examine"/> true: read-only): opens a view with a consistent snapshot that
    /// receives every change made by any view, session or delivery. <see cref="StoreErrorCode.NotFound"/> for a
    /// missing or <c>\Noselect</c> mailbox. Dispose the view when the session leaves the selected state.
    /// </summary>
    ValueTask<StoreResult<IMailboxView>> OpenMailboxAsync(string name, bool examine, CancellationToken cancellationToken);
}
