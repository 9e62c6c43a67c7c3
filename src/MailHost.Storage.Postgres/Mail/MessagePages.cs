using System.Runtime.CompilerServices;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// A FETCH that reads the database, for <see cref="PostgresMailboxView"/>: the view's messages in UID windows, a page
/// of rows per query, with the bytes of each page's small messages read ahead when the FETCH reads content.
/// </summary>
internal sealed class MessagePages
{
    // Rows per FETCH query: flags and dates are small; with the MIME index a row can carry tens of kilobytes.
    private const int FetchPage = 1000;
    private const int FetchPageWithIndex = 200;

    private readonly PostgresMailStore _store;
    private readonly long _mailboxId;

    public MessagePages(PostgresMailStore store, long mailboxId)
    {
        _store = store;
        _mailboxId = mailboxId;
    }

    /// <summary>
    /// The messages among <paramref name="uids"/> the view knows (<paramref name="known"/>, ascending), in UID order. The
    /// first page's query reads the mailbox row too and hands it to <paramref name="verified"/> with the change feed's
    /// stamp taken before it.
    /// </summary>
    public async IAsyncEnumerable<MessageData> ReadAsync(
        UidSet uids,
        FetchOptions options,
        uint[] known,
        Action<MailboxRow?, FeedStamp> verified,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        bool IsKnown(uint uid) => Array.BinarySearch(known, uid) >= 0;

        // Few ranges: one window each. Many scattered UIDs: one window over their span, filtered here.
        var windows = uids.Ranges.Count <= 16 ? uids.Ranges : [new UidRange(uids.Min, uids.Max)];
        var withAddress = !options.IncludeIndex && options.ReadsContent;
        var columns = MessageRows.Columns + (options.IncludeIndex ? MessageRows.IndexColumns : withAddress ? MessageRows.AddressColumns : string.Empty);
        var join = options.IncludeIndex || withAddress ? MessageRows.IndexJoin : string.Empty;
        var changedSince = (long)Math.Min(options.ChangedSince ?? 0, long.MaxValue);
        var pageSize = options.IncludeIndex ? FetchPageWithIndex : FetchPage;

        // RFC 2180 §4.1.1: a message another session expunged is read from retained until this view takes the expunge.
        const string Window = "WHERE m.mailbox_id = $1 AND m.uid >= $2 AND m.uid <= $3 AND m.modseq > $4";
        var query = $"SELECT {columns} FROM messages m {join}{Window} UNION ALL SELECT {columns} FROM retained m {join}{Window} ORDER BY 1 LIMIT {pageSize}";
        var firstPage = true;
        var pageStamp = _store.Feed.Stamp(_mailboxId);
        foreach (var window in windows)
        {
            // Past the view's last UID in the window there is nothing it may return: no query to find that out.
            var lastKnown = LastKnownAtOrBelow(known, window.Last);
            long cursor = window.First;
            while (cursor <= lastKnown)
            {
                var from = cursor;
                var page = new List<MessageData>();
                MailboxRow? mailbox = null;
                (string, object?[], Action<Npgsql.NpgsqlDataReader>) pageQuery = (query, [_mailboxId, from, (long)window.Last, changedSince], r => page.Add(MessageRows.Read(r, _store, options.IncludeIndex, withAddress)));

                // The first page comes with the mailbox row: when that shows nothing new, so does the poll after this
                // FETCH, without a round trip of its own.
                var withMailbox = firstPage;
                await _store.ReadSingleAsync(
                    async (s, ct) =>
                    {
                        await (withMailbox
                            ? s.QueryBatchAsync(ct, ($"SELECT {MailboxRow.Columns} FROM mailboxes WHERE id = $1", [_mailboxId], r => mailbox = MailboxRow.Read(r)), pageQuery)
                            : s.QueryBatchAsync(ct, pageQuery)).ConfigureAwait(false);
                        return page;
                    },
                    cancellationToken).ConfigureAwait(false);
                if (firstPage)
                {
                    verified(mailbox, pageStamp);
                    firstPage = false;
                }

                var (read, last) = (page.Count, page.Count > 0 ? page[^1].Uid : 0);
                page.RemoveAll(m => !uids.Contains(m.Uid) || !IsKnown(m.Uid));

                // A FETCH that reads content (header fields, sections) takes small messages' bytes from what this host
                // keeps, and the rest of the page's in one query instead of one query each.
                var readAhead = options.ReadsContent ? await ReadAheadAsync(page, cancellationToken).ConfigureAwait(false) : null;
                try
                {
                    foreach (var message in page)
                    {
                        yield return message;
                    }
                }
                finally
                {
                    readAhead?.Clear();
                }

                if (read < pageSize)
                {
                    break;
                }

                cursor = (long)last + 1;
            }
        }
    }

    /// <summary>The highest UID of <paramref name="known"/> that is at most <paramref name="uid"/>, or 0.</summary>
    private static long LastKnownAtOrBelow(uint[] known, uint uid)
    {
        var at = Array.BinarySearch(known, uid);
        var index = at >= 0 ? at : ~at - 1;
        return index >= 0 ? known[index] : 0;
    }

    /// <summary>
    /// The bytes of the page's small messages, for the page's content handles only (<see cref="ContentReadAhead"/>):
    /// a FETCH of header fields for 20 messages would otherwise open each of them with a query of its own.
    /// </summary>
    private async Task<ContentReadAhead?> ReadAheadAsync(List<MessageData> page, CancellationToken cancellationToken)
    {
        var contents = page.Select(m => m.Content).OfType<PostgresMessageContent>().ToList();
        var chosen = ContentReadAhead.Choose(contents.Select(c => (c.Length, c.Address)));
        if (chosen.Count == 0)
        {
            return null;
        }

        // What this host keeps needs no query; the rest comes in one, and is kept for the next FETCH.
        var bytes = new Dictionary<string, byte[]>(chosen.Count, StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var address in chosen)
        {
            if (_store.ContentCache.TryGet(address, out var kept))
            {
                bytes[address] = kept;
            }
            else
            {
                missing.Add(address);
            }
        }

        if (missing.Count > 0)
        {
            foreach (var (address, read) in await _store.Blobs.ReadSmallAsync(missing, cancellationToken).ConfigureAwait(false))
            {
                bytes[address] = read;
                _store.ContentCache.Add(address, read);
            }
        }

        var readAhead = new ContentReadAhead(bytes);
        foreach (var content in contents)
        {
            content.ReadAhead = readAhead;
        }

        return readAhead;
    }
}
