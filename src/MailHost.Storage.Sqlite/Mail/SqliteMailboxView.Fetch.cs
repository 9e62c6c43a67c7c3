using System.Runtime.CompilerServices;
using System.Text.Json;
using MailHost.Storage.Mime;
using Microsoft.Data.Sqlite;

namespace MailHost.Storage.Sqlite.Mail;

/// <summary>FETCH: pages of rows read by UID window, or answers from the rows a view keeps after a large FETCH.</summary>
internal sealed partial class SqliteMailboxView
{
    public async IAsyncEnumerable<MessageData> FetchAsync(UidSet uids, FetchOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uids);
        ArgumentNullException.ThrowIfNull(options);
        if (uids.IsEmpty)
        {
            yield break;
        }

        if (_known.Length > _store.MaxKeptRows)
        {
            _rows = null;
        }
        else if (!options.IncludeIndex && (_rows is not null || uids.Count >= CacheFillThreshold))
        {
            var cached = await _store.ReadAsync(db => FromCachedRows(db, uids, Math.Min(options.ChangedSince ?? 0, long.MaxValue)), cancellationToken).ConfigureAwait(false);
            foreach (var message in cached)
            {
                yield return message;
            }

            yield break;
        }

        // Few ranges: one window each. Many scattered UIDs: one window over their span, filtered here.
        var windows = uids.Ranges.Count <= 16 ? uids.Ranges : [new UidRange(uids.Min, uids.Max)];
        var columns = FetchColumns + (options.IncludeIndex ? ", c.index_json, c.thread_references" : string.Empty);
        var join = options.IncludeIndex ? "JOIN contents c ON c.id = m.content_id " : string.Empty;
        var changedSince = (long)Math.Min(options.ChangedSince ?? 0, long.MaxValue);

        // RFC 2180 §4.1.1: a message another session expunged is read from retained until this view takes the
        // expunge. Both sides are ranges of a primary key: SQLite merges them, in order, without sorting.
        const string Window = "WHERE m.mailbox_id = @p0 AND m.uid >= @p1 AND m.uid <= @p2 AND m.modseq > @p3";
        var query = $"SELECT {columns} FROM messages m {join}{Window} UNION ALL SELECT {columns} FROM retained m {join}{Window} ORDER BY 1 LIMIT {FetchPage}";
        foreach (var window in windows)
        {
            long cursor = window.First;
            while (cursor <= window.Last)
            {
                var from = cursor;
                var page = await _store.ReadAsync(
                    db => db.List(
                        query,
                        r => ReadMessage(r, options.IncludeIndex),
                        _mailboxId,
                        from,
                        (long)window.Last,
                        changedSince),
                    cancellationToken).ConfigureAwait(false);
                foreach (var message in page)
                {
                    if (uids.Contains(message.Uid) && IsKnown(message.Uid))
                    {
                        yield return message.Index is { References: null } ? await WithReferencesAsync(message, cancellationToken).ConfigureAwait(false) : message;
                    }
                }

                if (page.Count < FetchPage)
                {
                    break;
                }

                cursor = (long)page[^1].Uid + 1;
            }
        }
    }

    /// <summary>Brings loaded rows up to <paramref name="mailbox"/>'s HIGHESTMODSEQ, inside the caller's read transaction.</summary>
    private void RefreshRows(DbSession db, MailboxRow mailbox)
    {
        if (_rows is not { } rows || mailbox.HighestModSeq == _rowsModSeq)
        {
            return;
        }

        // Every change to a message raises its modseq and the mailbox's; an expunge is recorded with its modseq.
        var since = (long)_rowsModSeq;
        db.Query("SELECT uid FROM expunged WHERE mailbox_id = @p0 AND modseq > @p1", r => rows.Remove((uint)r.GetInt64(0)), _mailboxId, since);
        db.Query($"SELECT {FetchColumns} FROM messages m WHERE m.mailbox_id = @p0 AND m.modseq > @p1", r => rows[(uint)r.GetInt64(0)] = ReadMessage(r, includeIndex: false), _mailboxId, since);
        _rowsModSeq = mailbox.HighestModSeq;
    }

    /// <summary>Loads the rows the first time, or brings them up to <paramref name="mailbox"/>'s HIGHESTMODSEQ, inside the caller's read transaction.</summary>
    private Dictionary<uint, MessageData> LoadRows(DbSession db, MailboxRow mailbox)
    {
        if (_rows is { } loaded)
        {
            RefreshRows(db, mailbox);
            return loaded;
        }

        var rows = new Dictionary<uint, MessageData>(_known.Length);
        db.Query($"SELECT {FetchColumns} FROM messages m WHERE m.mailbox_id = @p0", r => rows[(uint)r.GetInt64(0)] = ReadMessage(r, includeIndex: false), _mailboxId);
        _rows = rows;
        _rowsModSeq = mailbox.HighestModSeq;
        return rows;
    }

    /// <summary>
    /// Brings the cached rows up to the mailbox's HIGHESTMODSEQ (loading them all the first time) and answers the
    /// FETCH from them, inside one read transaction.
    /// </summary>
    private List<MessageData> FromCachedRows(DbSession db, UidSet uids, ulong changedSince)
    {
        var mailbox = SqliteMailStore.FindMailbox(db, _mailboxId);
        if (mailbox is null || mailbox.Noselect)
        {
            _rows = null;
            _searchRows = null;
            return [];
        }

        var rowsNow = LoadRows(db, mailbox);
        var result = new List<MessageData>();
        var missing = new List<uint>();
        var known = _known;
        foreach (var range in uids.Ranges)
        {
            var start = Array.BinarySearch(known, range.First);
            for (var i = start >= 0 ? start : ~start; i < known.Length && known[i] <= range.Last; i++)
            {
                if (!rowsNow.TryGetValue(known[i], out var message))
                {
                    missing.Add(known[i]);
                }
                else if (message.ModSeq > changedSince)
                {
                    result.Add(message);
                }
            }
        }

        if (missing.Count > 0)
        {
            // RFC 2180 §4.1.1: expunged by another session and not yet taken by this view: served from retained.
            db.Query(
                $"SELECT {FetchColumns} FROM retained m WHERE m.mailbox_id = @p0 AND m.uid >= @p1 AND m.uid <= @p2",
                r =>
                {
                    var message = ReadMessage(r, includeIndex: false);
                    if (missing.BinarySearch(message.Uid) >= 0 && message.ModSeq > changedSince)
                    {
                        result.Add(message);
                    }
                },
                _mailboxId,
                (long)missing[0],
                (long)missing[^1]);
            result.Sort((a, b) => a.Uid.CompareTo(b.Uid));
        }

        return result;
    }

    /// <summary>
    /// Content stored before schema version 2 has no References column value: the ids are taken from the stored
    /// header block, indexed exactly as at append, so threading sees what it would have seen. Nothing is written
    /// back; a read stays a read.
    /// </summary>
    private async Task<MessageData> WithReferencesAsync(MessageData message, CancellationToken cancellationToken)
    {
        var index = message.Index!;
        IReadOnlyList<string> references = [];
        var header = await message.Content.OpenAsync(0, index.HeaderLength, cancellationToken).ConfigureAwait(false);
        if (header is not null)
        {
            await using (header.ConfigureAwait(false))
            {
                var indexed = await MimeIndexer.IndexAsync(header, Math.Min(index.HeaderLength, message.Size), _store.Limits, cancellationToken).ConfigureAwait(false);
                references = indexed.Index.References ?? [];
            }
        }

        return message with { Index = index with { References = references } };
    }

    private MessageData ReadMessage(SqliteDataReader r, bool includeIndex)
    {
        var content = new SqliteMessageContent(_store, r.GetInt64(10), r.GetInt64(7));
        MessageIndex? index = null;
        if (includeIndex)
        {
            // A NULL thread_references (a row from before schema version 2) is filled in by FetchAsync.
            index = JsonSerializer.Deserialize<MessageIndex>(r.GetString(IndexColumn), SqliteMailStore.Json)! with
            {
                References = r.IsDBNull(IndexColumn + 1) ? null : JsonSerializer.Deserialize<string[]>(r.GetString(IndexColumn + 1), SqliteMailStore.Json),
            };
        }

        return new MessageData(
            (uint)r.GetInt64(0),
            (MessageFlags)r.GetInt32(1),
            SqliteMailStore.SplitKeywords(r.GetString(2)),
            (ulong)r.GetInt64(3),
            Date(r.GetInt64(4), r.GetInt32(5)),
            Date(r.GetInt64(6), 0),
            r.GetInt64(7),
            r.GetString(8),
            r.GetString(9),
            index,
            content);
    }
}
