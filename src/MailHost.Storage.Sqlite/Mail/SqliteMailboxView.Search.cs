using System.Text;
using MailHost.Storage.Search;
using Microsoft.Data.Sqlite;

namespace MailHost.Storage.Sqlite.Mail;

/// <summary>SEARCH: text criteria through the trigram index, the rest from the kept rows or the messages table.</summary>
internal sealed partial class SqliteMailboxView
{
    // What SEARCH compares, in the form SearchEvaluator reads, with the content ids (see KeptSearchRows). Let go with
    // the rows when the session waits in IDLE.
    private SearchRows? _searchRows;

    public async ValueTask<StoreResult<SearchResult>> SearchAsync(SearchCriteria criteria, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        if (SearchEvaluator.Validate(criteria, _store.Limits).Error is { } error)
        {
            return StoreResult<SearchResult>.Fail(error);
        }

        var now = _store.Time.GetUtcNow();
        return await _store.ReadAsync(db =>
        {
            if (SqliteMailStore.FindMailbox(db, _mailboxId) is not { Noselect: false } mailbox)
            {
                return StoreResult<SearchResult>.Fail(StoreErrorCode.NotFound, "The mailbox no longer exists.");
            }

            var textMatches = new Dictionary<SearchCriteria, HashSet<long>>(ReferenceEqualityComparer.Instance);
            foreach (var text in SearchEvaluator.CollectTextCriteria(criteria))
            {
                textMatches[text] = MatchText(db, text);
            }

            var uids = new List<uint>();
            ulong highest = 0;
            long contentId = 0;
            bool TextMatches(SearchCriteria text, SearchMessage _) => textMatches[text].Contains(contentId);

            // One delegate for the whole search (a local function passed as such would be a new one per message).
            var textMatcher = new Func<SearchCriteria, SearchMessage, bool>(TextMatches);
            void Consider(SearchMessage message)
            {
                if (SearchEvaluator.Matches(criteria, message, textMatcher, now))
                {
                    uids.Add(message.Uid);
                    highest = Math.Max(highest, message.ModSeq);
                }
            }

            var known = _known;
            if (!UsesSentDate(criteria) && (known.Length <= _store.MaxKeptRows || (known.Length <= _store.MaxKeptSearchRows && !UsesObjectIds(criteria))))
            {
                // Flags, keywords, sizes, dates and ids come from what the view keeps, brought up to the mailbox's
                // HIGHESTMODSEQ in this read transaction, so a client polling UNSEEN costs no scan at all.
                var kept = KeptSearchRows(db, mailbox, known);
                for (var i = 0; i < kept.Messages.Length; i++)
                {
                    if (kept.Messages[i] is { } message)
                    {
                        contentId = kept.ContentIds[i];
                        Consider(message);
                    }
                }
            }
            else
            {
                // The sent date lives in the contents row, which a small message's inline bytes fill: joined only here.
                var (columns, join) = UsesSentDate(criteria) ? (MessageColumns, "JOIN contents c ON c.id = m.content_id ") : (FetchColumns, string.Empty);
                db.Query(
                    $"SELECT {columns} FROM messages m {join}WHERE m.mailbox_id = @p0 ORDER BY m.uid",
                    r =>
                    {
                        var message = ReadSearchMessage(r, withSentDate: join.Length > 0);
                        if (IsKnown(message.Uid))
                        {
                            contentId = r.GetInt64(10);
                            Consider(message);
                        }
                    },
                    _mailboxId);
            }

            return StoreResult<SearchResult>.Success(new SearchResult(uids, highest));
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// What SEARCH compares, as <see cref="SearchMessage"/>s in <paramref name="known"/>'s order (null for a UID whose
    /// row is gone), read again only when the mailbox's HIGHESTMODSEQ or the known UIDs changed: every change to a
    /// message raises HIGHESTMODSEQ, so a client polling UNSEEN on an unchanged mailbox reads and allocates nothing per
    /// message. Made from the rows FETCH keeps where the view keeps them; above that size read from the messages table,
    /// without EMAILID and THREADID (a search for those scans instead).
    /// </summary>
    private SearchRows KeptSearchRows(DbSession db, MailboxRow mailbox, uint[] known)
    {
        if (_searchRows is { } kept && ReferenceEquals(kept.Known, known) && kept.ModSeq == mailbox.HighestModSeq)
        {
            return kept;
        }

        var messages = new SearchMessage?[known.Length];
        var contentIds = new long[known.Length];
        if (known.Length <= _store.MaxKeptRows)
        {
            var rows = LoadRows(db, mailbox);
            for (var i = 0; i < known.Length; i++)
            {
                if (rows.TryGetValue(known[i], out var message))
                {
                    messages[i] = ToSearchMessage(message);
                    contentIds[i] = ((SqliteMessageContent)message.Content).ContentId;
                }
            }
        }
        else
        {
            // Rows come in UID order (the primary key), as known is sorted: one pass over both. Messages with the same
            // keywords share one list.
            var keywordLists = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            var next = 0;
            db.Query(
                "SELECT uid, flags, keywords, modseq, internal_date, internal_offset, save_date, size, content_id FROM messages WHERE mailbox_id = @p0 ORDER BY uid",
                r =>
                {
                    var uid = (uint)r.GetInt64(0);
                    while (next < known.Length && known[next] < uid)
                    {
                        next++;
                    }

                    if (next == known.Length || known[next] != uid)
                    {
                        return;
                    }

                    var text = r.GetString(2);
                    if (!keywordLists.TryGetValue(text, out var keywords))
                    {
                        keywordLists[text] = keywords = SqliteMailStore.SplitKeywords(text);
                    }

                    messages[next] = new SearchMessage(
                        uid, (MessageFlags)r.GetInt32(1), keywords, Date(r.GetInt64(4), r.GetInt32(5)), Date(r.GetInt64(6), 0), null, r.GetInt64(7), (ulong)r.GetInt64(3), string.Empty, string.Empty);
                    contentIds[next] = r.GetInt64(8);
                },
                _mailboxId);
        }

        return _searchRows = new SearchRows(known, mailbox.HighestModSeq, messages, contentIds);
    }

    private const string Mine = "SELECT content_id FROM messages WHERE mailbox_id = @p0";

    private HashSet<long> MatchText(DbSession db, SearchCriteria criterion)
    {
        switch (criterion)
        {
            case AddressCriterion address:
                return MatchAddress(db, address);
            case HeaderCriterion header:
                var matches = new HashSet<long>();
                ConfirmHeader(db, TextCandidates(db, header.Value, "headers"), header.Name, header.Value, matches);
                return matches;
            case TextCriterion { Scope: TextScope.Body } body:
                return TextCandidates(db, body.Value, "body");
            case TextCriterion text:
                return TextCandidates(db, text.Value, null);
            default:
                throw new ArgumentException("Not a text criterion.", nameof(criterion));
        }
    }

    /// <summary>
    /// FROM, TO, CC, BCC: the parsed addresses (schema version 6), which are small enough to read whole (the value may
    /// span what the header splits with comments and folding, so no index helps), and the header text as for HEADER.
    /// </summary>
    private HashSet<long> MatchAddress(DbSession db, AddressCriterion address)
    {
        // SQLite narrows the rows first where its lower() folds as .NET's ordinal comparison does: for an ASCII value,
        // in rows whose text is ASCII (UTF-8 bytes = characters); other rows are all read and compared here. Driven from
        // the mailbox's rows: "content_id IN (this mailbox)" would list the mailbox first, then look each one up.
        var found = new HashSet<long>();
        var narrowed = Ascii.IsValid(address.Value)
            ? " AND (length(a.addresses) <> length(CAST(a.addresses AS BLOB)) OR instr(lower(a.addresses), lower(@p1)) > 0)"
            : string.Empty;
        db.Query($"SELECT a.content_id, a.addresses FROM messages m JOIN content_addresses a ON a.content_id = m.content_id WHERE m.mailbox_id = @p0{narrowed}", r =>
        {
            if (SearchText.HeaderMatches(r.GetString(1), address.Field, address.Value))
            {
                found.Add(r.GetInt64(0));
            }
        }, _mailboxId, address.Value);

        // The header text confirms only what the addresses did not already find: usually nothing is left to read.
        var candidates = TextCandidates(db, address.Value, "headers");
        candidates.ExceptWith(found);
        ConfirmHeader(db, candidates, address.Field, address.Value, found);
        return found;
    }

    /// <summary>
    /// The messages whose indexed text (one column, or both for <paramref name="column"/> null) holds
    /// <paramref name="value"/>, and those whose text is not indexed yet and holds it.
    /// </summary>
    private HashSet<long> TextCandidates(DbSession db, string value, string? column)
    {
        var candidates = new HashSet<long>();
        if (value.Length >= 3)
        {
            // FTS5 trigram index: a quoted phrase is a literal substring; client text is never FTS syntax (SECURITY.md rule 8).
            var phrase = "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            var match = column is null ? phrase : "{" + column + "} : " + phrase;
            // The MATCH runs once, as a subquery SQLite materializes: written as "MATCH AND rowid IN (this mailbox)", the
            // planner may probe the index once per message of the mailbox instead (seconds on 5,000 messages).
            db.Query(
                $"SELECT m.content_id FROM messages m WHERE m.mailbox_id = @p0 AND m.content_id IN (SELECT rowid FROM content_text WHERE content_text MATCH @p1)",
                r => candidates.Add(r.GetInt64(0)),
                _mailboxId,
                match);
        }
        else
        {
            // Too short for trigrams: scan the indexed text with instr(), never LIKE.
            var haystack = column is null ? "headers || ' ' || body" : column;
            db.Query($"SELECT rowid FROM content_text WHERE rowid IN ({Mine}) AND (@p1 = '' OR instr(lower({haystack}), lower(@p1)) > 0)", r => candidates.Add(r.GetInt64(0)), _mailboxId, value);
        }

        // Text not yet in the index (schema version 4) is read in the same transaction and matched here.
        db.Query(
            // Driven from text_pending, which is empty when the indexer has caught up, with one probe of this mailbox per
            // row; "content_id IN (this mailbox)" would list the whole mailbox first, on every text search.
            "SELECT p.content_id, p.headers, p.body FROM text_pending p WHERE EXISTS (SELECT 1 FROM messages m WHERE m.content_id = p.content_id AND m.mailbox_id = @p0)",
            r =>
            {
                var text = column switch
                {
                    "headers" => r.GetString(1),
                    "body" => r.GetString(2),
                    _ => r.GetString(1) + " " + r.GetString(2),
                };
                if (text.Contains(value, StringComparison.OrdinalIgnoreCase))
                {
                    candidates.Add(r.GetInt64(0));
                }
            },
            _mailboxId);
        return candidates;
    }

    /// <summary>
    /// Adds to <paramref name="matches"/> the <paramref name="candidates"/> (messages whose header text holds the value
    /// somewhere) whose header <paramref name="name"/> holds it, reading those candidates' header text only. An empty
    /// value asks whether the header exists: every message of the mailbox not already matched is read.
    /// </summary>
    private void ConfirmHeader(DbSession db, HashSet<long> candidates, string name, string value, HashSet<long> matches)
    {
        if (value.Length > 0 && candidates.Count == 0)
        {
            return;
        }

        var which = value.Length == 0 ? Mine : "SELECT value FROM json_each(@p1)";
        db.Query($"SELECT id, header_text FROM contents WHERE id IN ({which})", r =>
        {
            var id = r.GetInt64(0);
            if (!matches.Contains(id) && SearchText.HeaderMatches(r.GetString(1), name, value))
            {
                matches.Add(id);
            }
        }, _mailboxId, "[" + string.Join(',', candidates) + "]");
    }

    private static SearchMessage ReadSearchMessage(SqliteDataReader r, bool withSentDate) => new(
        (uint)r.GetInt64(0),
        (MessageFlags)r.GetInt32(1),
        SqliteMailStore.SplitKeywords(r.GetString(2)),
        Date(r.GetInt64(4), r.GetInt32(5)),
        Date(r.GetInt64(6), 0),
        !withSentDate || r.IsDBNull(11) ? null : Date(r.GetInt64(11), r.GetInt32(12)),
        r.GetInt64(7),
        (ulong)r.GetInt64(3),
        r.GetString(8),
        r.GetString(9));

    private static SearchMessage ToSearchMessage(MessageData message) => new(
        message.Uid, message.Flags, message.Keywords, message.InternalDate, message.SaveDate, null, message.Size, message.ModSeq, message.EmailId, message.ThreadId);

    /// <summary>Whether the tree compares the Date header (SENTBEFORE, SENTON, SENTSINCE), which the kept rows lack.</summary>
    private static bool UsesSentDate(SearchCriteria criteria) => Uses(criteria, c => c is DateCriterion { Field: SearchDateField.Sent });

    /// <summary>Whether the tree compares EMAILID or THREADID (RFC 8474), which large mailboxes' kept search rows lack.</summary>
    private static bool UsesObjectIds(SearchCriteria criteria) => Uses(criteria, c => c is ObjectIdCriterion);

    private static bool Uses(SearchCriteria criteria, Func<SearchCriteria, bool> test) => test(criteria) || criteria switch
    {
        NotCriterion not => Uses(not.Criterion, test),
        AndCriterion and => and.Criteria.Any(c => Uses(c, test)),
        OrCriterion or => Uses(or.Left, test) || Uses(or.Right, test),
        _ => false,
    };

    private sealed record SearchRows(uint[] Known, ulong ModSeq, SearchMessage?[] Messages, long[] ContentIds);
}
