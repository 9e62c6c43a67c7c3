using MailHost.Connections;
using MailHost.Storage;

namespace MailHost.Pop3;

/// <summary>
/// The messages of one POP3 session: INBOX as it was at login, numbered from 1, with the deletion marks that
/// are applied only in the UPDATE state (RFC 1939 §6).
/// </summary>
internal sealed class Maildrop : IAsyncDisposable
{
    private readonly IMailAccount _account;
    private readonly IAsyncDisposable _lock;
    private readonly MessageData[] _messages;
    private readonly bool[] _deleted;

    private Maildrop(IMailAccount account, IMailboxView view, IAsyncDisposable maildropLock, MessageData[] messages)
    {
        _account = account;
        View = view;
        _lock = maildropLock;
        _messages = messages;
        _deleted = new bool[messages.Length];
    }

    public IMailboxView View { get; }

    public string AccountName => _account.AccountName;

    /// <summary>UIDVALIDITY of INBOX: part of every UIDL so that a reset mailbox never reuses an id.</summary>
    public uint UidValidity => View.Snapshot.UidValidity;

    /// <summary>Messages not marked deleted.</summary>
    public int Count => _deleted.Count(d => !d);

    /// <summary>Octets of the messages not marked deleted.</summary>
    public long TotalSize
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _messages.Length; i++)
            {
                if (!_deleted[i])
                {
                    total += _messages[i].Size;
                }
            }

            return total;
        }
    }

    /// <summary>Highest message number (deleted ones included, as RFC 1939 numbers never shift).</summary>
    public int Highest => _messages.Length;

    public static async Task<StoreResult<Maildrop>> OpenAsync(IMailStore store, string accountName, IAsyncDisposable maildropLock, CancellationToken cancellationToken)
    {
        var opened = await store.OpenAccountAsync(accountName, cancellationToken).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            return opened.Error;
        }

        var account = opened.Value;
        IMailboxView? inbox = null;
        try
        {
            var started = MailHostMetrics.StoreOperationStarting();
            var view = await account.OpenMailboxAsync(MailboxName.Inbox, examine: false, cancellationToken).ConfigureAwait(false);
            MailHostMetrics.StoreOperationEnded(started, "select", account);
            if (!view.IsSuccess)
            {
                await account.DisposeAsync().ConfigureAwait(false);
                return view.Error;
            }

            inbox = view.Value;
            var messages = new List<MessageData>();
            var fetched = MailHostMetrics.TimedStoreEnumeration(inbox.FetchAsync(UidSet.All, FetchOptions.Default, cancellationToken), "fetch", inbox);
            await foreach (var message in fetched.ConfigureAwait(false))
            {
                messages.Add(message);
            }

            return new Maildrop(account, inbox, maildropLock, [.. messages]);
        }
        catch
        {
            // The store threw halfway (unreachable): what was opened is closed here, the caller releases the lock.
            if (inbox is not null)
            {
                await inbox.DisposeAsync().ConfigureAwait(false);
            }

            await account.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The message with POP3 number <paramref name="number"/>, or null if there is none or it is marked deleted.</summary>
    public MessageData? Get(int number)
        => number >= 1 && number <= _messages.Length && !_deleted[number - 1] ? _messages[number - 1] : null;

    public bool IsDeleted(int number) => number >= 1 && number <= _messages.Length && _deleted[number - 1];

    public void MarkDeleted(int number) => _deleted[number - 1] = true;

    public void ResetDeleted() => Array.Clear(_deleted);

    /// <summary>The unique id of RFC 1939 §7 (UIDL): stable across sessions and consistent with IMAP, from UIDVALIDITY and UID.</summary>
    public string UniqueId(MessageData message) => $"{UidValidity:x8}{message.Uid:x8}";

    /// <summary>The UPDATE state: removes the marked messages in one store operation.</summary>
    public async Task<StoreResult<int>> CommitDeletionsAsync(CancellationToken cancellationToken)
    {
        var uids = new List<UidRange>();
        for (var i = 0; i < _messages.Length; i++)
        {
            if (_deleted[i])
            {
                uids.Add(new UidRange(_messages[i].Uid, _messages[i].Uid));
            }
        }

        if (uids.Count == 0)
        {
            return 0;
        }

        var set = UidSet.FromRanges(uids);
        var started = MailHostMetrics.StoreOperationStarting();
        var flagged = await View.StoreFlagsAsync(set, FlagOperation.Add, MessageFlags.Deleted, [], unchangedSince: null, cancellationToken).ConfigureAwait(false);
        MailHostMetrics.StoreOperationEnded(started, "store", View);
        if (!flagged.IsSuccess)
        {
            return flagged.Error;
        }

        started = MailHostMetrics.StoreOperationStarting();
        var expunged = await View.ExpungeAsync(set, cancellationToken).ConfigureAwait(false);
        MailHostMetrics.StoreOperationEnded(started, "expunge", View);
        return expunged.IsSuccess ? expunged.Value.Expunged.Count : expunged.Error;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await View.DisposeAsync().ConfigureAwait(false);
            await _account.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            await _lock.DisposeAsync().ConfigureAwait(false);
        }
    }
}
