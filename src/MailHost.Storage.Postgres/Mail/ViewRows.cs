namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// The message rows a view keeps once a large FETCH asked for them (the flags of a whole mailbox, as clients ask at
/// every sync), so that the next large FETCH reads only what changed since: the rows above the MODSEQ they were last
/// brought up to, and the expunges since. Every change to a message raises its MODSEQ and the mailbox's in the
/// same transaction, and MODSEQs become visible in the order they were given out, so reading the mailbox row first
/// and the changes after it misses nothing up to the HIGHESTMODSEQ it read, whichever host wrote.
/// Rows without the MIME index only: a FETCH that needs it, or that reads the messages' bytes, reads the database.
/// While the change feed announces nothing new of the mailbox since the rows were brought up to date
/// (<see cref="PostgresChangeFeed.IsSilent"/>), a FETCH is answered from them without a query.
/// </summary>
internal sealed class ViewRows
{
    /// <summary>Rows are loaded by a FETCH of at least this many messages, and kept for mailboxes up to <see cref="MaxRows"/>.</summary>
    public const int FillThreshold = 64;

    public const int MaxRows = 20_000;

    private readonly PostgresMailStore _store;
    private readonly long _mailboxId;
    private Dictionary<uint, MessageData>? _rows;
    private ulong _modSeq;
    private FeedStamp _stamp;

    public ViewRows(PostgresMailStore store, long mailboxId)
    {
        _store = store;
        _mailboxId = mailboxId;
    }

    public bool IsLoaded => _rows is not null;

    /// <summary>The mailbox row the last <see cref="FetchAsync"/> read (null: it read none, or the mailbox is gone).</summary>
    public MailboxRow? Mailbox { get; private set; }

    /// <summary>Whether a FETCH of <paramref name="count"/> messages, <paramref name="known"/> in the view, should be answered here.</summary>
    public bool Answers(long count, int known, FetchOptions options)
    {
        if (known > MaxRows)
        {
            _rows = null;
            return false;
        }

        // A FETCH that reads the messages' bytes reads the database, which gives the content addresses with the rows.
        return !options.IncludeIndex && !options.ReadsContent && (_rows is not null || count >= FillThreshold);
    }

    /// <summary>Lets the rows go (a session waiting in IDLE may wait for hours, thousands of them at once).</summary>
    public void Clear() => _rows = null;

    /// <summary>
    /// Brings the rows up to the mailbox's HIGHESTMODSEQ (loading them all the first time) in one round trip, unless the
    /// change feed has been silent about the mailbox since they were, and answers the FETCH of <paramref name="uids"/>
    /// among <paramref name="known"/> from them, in UID order.
    /// </summary>
    public async Task<List<MessageData>> FetchAsync(UidSet uids, uint[] known, ulong changedSince, CancellationToken cancellationToken)
    {
        Mailbox = null;
        var rows = _rows;
        if (rows is null || !_store.Feed.IsSilent(_mailboxId, _stamp, _modSeq))
        {
            rows = await RefreshAsync(rows, known.Length, cancellationToken).ConfigureAwait(false);
            if (rows is null)
            {
                return [];
            }
        }

        var result = new List<MessageData>();
        List<uint>? missing = null;
        foreach (var range in uids.Ranges)
        {
            var start = Array.BinarySearch(known, range.First);
            for (var i = start >= 0 ? start : ~start; i < known.Length && known[i] <= range.Last; i++)
            {
                if (!rows.TryGetValue(known[i], out var message))
                {
                    (missing ??= []).Add(known[i]);
                }
                else if (message.ModSeq > changedSince)
                {
                    result.Add(message);
                }
            }
        }

        if (missing is not null)
        {
            // RFC 2180 §4.1.1: expunged by another session and not yet taken by this view: read from retained.
            var retained = await _store.ReadSingleAsync(
                (s, ct) => s.ListAsync(
                    $"SELECT {MessageRows.Columns} FROM retained m WHERE m.mailbox_id = $1 AND m.uid = ANY($2) AND m.modseq > $3",
                    r => MessageRows.Read(r, _store, includeIndex: false),
                    ct,
                    _mailboxId,
                    missing.Select(u => (long)u).ToArray(),
                    (long)Math.Min(changedSince, long.MaxValue)),
                cancellationToken).ConfigureAwait(false);
            result.AddRange(retained);
            result.Sort((a, b) => a.Uid.CompareTo(b.Uid));
        }

        return result;
    }

    /// <summary>
    /// Answers a STORE that would change nothing (every message already has the flags asked for, no keyword is new,
    /// as clients send when they mark read what was read) from the rows, while the change feed has been silent about
    /// the mailbox since they were brought up to date: the database would lock the mailbox row, read the messages and
    /// write nothing. False when the rows cannot tell, or something would change: then the database decides.
    /// </summary>
    public bool TryStoreNothing(
        UidSet uids,
        uint[] known,
        FlagOperation operation,
        MessageFlags flags,
        IReadOnlyList<string> keywords,
        ulong? unchangedSince,
        MailboxSnapshot snapshot,
        out StoreFlagsResult result)
    {
        result = null!;
        var rows = _rows;

        // A conditional STORE (RFC 7162 UNCHANGEDSINCE) is a client's check against the server's latest state: it
        // always asks the database.
        if (rows is null || unchangedSince is not null || !_store.Feed.IsSilent(_mailboxId, _stamp, _modSeq))
        {
            return false;
        }

        var resolved = FlagChange.ResolveKeywords(keywords, snapshot.Keywords, _store.Limits.MaxKeywordsPerMailbox, out var created);
        if (!resolved.IsSuccess || created.Count > 0)
        {
            return false;
        }

        var states = new List<MessageFlagState>();
        foreach (var uid in known)
        {
            if (!uids.Contains(uid))
            {
                continue;
            }

            // A message expunged by another session and not yet taken is not among the rows; the database has no
            // row for it either, and the STORE passes it by.
            if (!rows.TryGetValue(uid, out var row))
            {
                continue;
            }

            var (newFlags, newKeywords) = FlagChange.Apply(operation, row.Flags, row.Keywords, flags, resolved.Value);
            if (newFlags != row.Flags || !FlagChange.SameKeywords(newKeywords, row.Keywords))
            {
                return false;
            }

            states.Add(new MessageFlagState(uid, row.Flags, row.Keywords, row.ModSeq, false));
        }

        result = new StoreFlagsResult(states, [], _modSeq);
        return true;
    }

    /// <summary>
    /// Reads the mailbox row and the changes above the rows' MODSEQ (every row the first time, and no expunge: what
    /// was expunged before is not among them) in one round trip; null when the mailbox is gone.
    /// </summary>
    private async Task<Dictionary<uint, MessageData>?> RefreshAsync(Dictionary<uint, MessageData>? rows, int known, CancellationToken cancellationToken)
    {
        var since = rows is null ? -1 : (long)_modSeq;
        var expungedSince = rows is null ? long.MaxValue : since;
        var fresh = rows ?? new Dictionary<uint, MessageData>(known);
        var stamp = _store.Feed.Stamp(_mailboxId);
        MailboxRow? mailbox = null;
        await _store.ReadSingleAsync(
            async (s, ct) =>
            {
                await s.QueryBatchAsync(
                    ct,
                    ($"SELECT {MailboxRow.Columns} FROM mailboxes WHERE id = $1", [_mailboxId], r => mailbox = MailboxRow.Read(r)),
                    ("SELECT uid FROM expunged WHERE mailbox_id = $1 AND modseq > $2", [_mailboxId, expungedSince], r => fresh.Remove((uint)r.GetInt64(0))),
                    ($"SELECT {MessageRows.Columns} FROM messages m WHERE m.mailbox_id = $1 AND m.modseq > $2", [_mailboxId, since], r => fresh[(uint)r.GetInt64(0)] = MessageRows.Read(r, _store, includeIndex: false))).ConfigureAwait(false);
                return fresh;
            },
            cancellationToken).ConfigureAwait(false);
        if (mailbox is null || mailbox.Noselect)
        {
            _rows = null;
            return null;
        }

        _rows = fresh;
        _modSeq = mailbox.HighestModSeq;
        _stamp = stamp;
        Mailbox = mailbox;
        return fresh;
    }
}
