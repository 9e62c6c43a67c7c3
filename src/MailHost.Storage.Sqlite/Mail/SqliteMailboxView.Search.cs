using System.Text;
using MailHost.Storage.Search;
using Microsoft.Data.Sqlite;

namespace MailHost.Storage.Sqlite.Mail;

/// <summary>SEARCH: text criteria through the trigram index, the rest from the kept rows or the messages table.</summary>
internal sealed partial class SqliteMailboxView
{
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
            void Consider(SearchMessage message, long contentId)
            {
                if (IsKnown(message.Uid) && SearchEvaluator.Matches(criteria, message, (c, _) => textMatches[c].Contains(contentId), now))
                {
                    uids.Add(message.Uid);
                    highest = Math.Max(highest, message.ModSeq);
                }
            }

            if (!UsesSentDate(criteria) && _known.Length <= MaxCachedRows)
            {
                // Flags, keywords, sizes, dates and ids are in the rows FETCH keeps: loaded once, then brought up to the
                // mailbox's HIGHESTMODSEQ in this read transaction, so a client polling UNSEEN costs no scan at all.
                var rows = LoadRows(db, mailbox);
                foreach (var uid in _known)
                {
                    if (rows.TryGetValue(uid, out var message))
                    {
                        Consider(ToSearchMessage(message), ((SqliteMessageContent)message.Content).ContentId);
                    }
                }
            }
            else
            {
                // The sent date lives in the contents row, which a small message's inline bytes fill: joined only here.
                var (columns, join) = UsesSentDate(criteria) ? (MessageColumns, "JOIN contents c ON c.id = m.content_id ") : (FetchColumns, string.Empty);
                db.Query(
                    $"SELECT {columns} FROM messages m {join}WHERE m.mailbox_id = @p0 ORDER BY m.uid",
                    r => Consider(ReadSearchMessage(r, withSentDate: join.Length > 0), r.GetInt64(10)),
                    _mailboxId);
            }

            return StoreResult<SearchResult>.Success(new SearchResult(uids, highest));
        }, cancellationToken).ConfigureAwait(false);
    }

    private HashSet<long> MatchText(DbSession db, SearchCriteria criterion)
    {
        const string Mine = "SELECT content_id FROM messages WHERE mailbox_id = @p0";
        if (criterion is AddressCriterion address)
        {
            // The header text as for HEADER, and the parsed addresses (schema version 6), which are small enough to
            // read whole: the value may span what the header splits with comments and folding, so no index helps.
            var found = MatchText(db, new HeaderCriterion(address.Field, address.Value));

            // SQLite narrows the rows first where its lower() folds as .NET's ordinal comparison does: for an ASCII
            // value, in rows whose text is ASCII (UTF-8 bytes = characters); other rows are all read and compared here.
            var narrowed = Ascii.IsValid(address.Value)
                ? " AND (length(addresses) <> length(CAST(addresses AS BLOB)) OR instr(lower(addresses), lower(@p1)) > 0)"
                : string.Empty;
            db.Query($"SELECT content_id, addresses FROM content_addresses WHERE content_id IN ({Mine}){narrowed}", r =>
            {
                if (SearchText.HeaderMatches(r.GetString(1), address.Field, address.Value))
                {
                    found.Add(r.GetInt64(0));
                }
            }, _mailboxId, address.Value);
            return found;
        }

        var (value, column) = criterion switch
        {
            HeaderCriterion header => (header.Value, "headers"),
            TextCriterion { Scope: TextScope.Body } body => (body.Value, "body"),
            TextCriterion text => (text.Value, null),
            _ => throw new ArgumentException("Not a text criterion.", nameof(criterion)),
        };
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
            $"SELECT content_id, headers, body FROM text_pending WHERE content_id IN ({Mine})",
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

        if (criterion is not HeaderCriterion headerCriterion)
        {
            return candidates;
        }

        // The index found the value somewhere in the headers; confirm it is in the named header, reading the header
        // text of those candidates only (an empty value asks whether the header exists: every message is a candidate).
        var matches = new HashSet<long>();
        if (value.Length > 0 && candidates.Count == 0)
        {
            return matches;
        }

        var which = value.Length == 0 ? Mine : "SELECT value FROM json_each(@p1)";
        db.Query($"SELECT id, header_text FROM contents WHERE id IN ({which})", r =>
        {
            var id = r.GetInt64(0);
            if (SearchText.HeaderMatches(r.GetString(1), headerCriterion.Name, headerCriterion.Value))
            {
                matches.Add(id);
            }
        }, _mailboxId, "[" + string.Join(',', candidates) + "]");
        return matches;
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
    private static bool UsesSentDate(SearchCriteria criteria) => criteria switch
    {
        DateCriterion date => date.Field == SearchDateField.Sent,
        NotCriterion not => UsesSentDate(not.Criterion),
        AndCriterion and => and.Criteria.Any(UsesSentDate),
        OrCriterion or => UsesSentDate(or.Left) || UsesSentDate(or.Right),
        _ => false,
    };
}
