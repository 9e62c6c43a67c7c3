using System.Text;

namespace MailHost.Protocols.Imap;

internal static partial class ImapCommandGrammar
{
    // RFC 9051 §6.4.4: search = "SEARCH" [search-return-opts] SP search-program;
    // search-program = ["CHARSET" SP charset SP] search-key *(SP search-key).
    private static SearchCommand? ParseSearch(ref ImapGrammarReader r, string tag, bool isUid)
    {
        if (!r.ExpectSpace() || !ParseSearchReturn(ref r, out var hasReturn, out var returns))
        {
            return null;
        }

        string? charset = null;
        if (r.TryWord("CHARSET"u8))
        {
            if (!r.ExpectSpace() || !ParseCharset(ref r, out var name) || !r.ExpectSpace())
            {
                return null;
            }

            charset = name;
        }

        return ParseSearchKeys(ref r, out var criteria) ? new SearchCommand(tag, isUid, charset, hasReturn, returns, criteria) : null;
    }

    private static bool ParseCharset(ref ImapGrammarReader r, out string charset)
    {
        charset = string.Empty;
        if (!r.ParseAString(out var name))
        {
            return false;
        }

        charset = name.ToUpperInvariant();
        return true;
    }

    // RFC 4731 §3: search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")".
    private static bool ParseSearchReturn(ref ImapGrammarReader r, out bool hasReturn, out ImapSearchReturnOptions returns)
    {
        hasReturn = false;
        returns = ImapSearchReturnOptions.None;
        if (!r.TryWord("RETURN"u8))
        {
            return true;
        }

        hasReturn = true;
        if (!r.ExpectSpace() || !r.ExpectChar((byte)'(', ImapParseErrors.InvalidReturnOption))
        {
            return false;
        }

        if (!r.TryChar((byte)')'))
        {
            do
            {
                if (r.TryWord("MIN"u8))
                {
                    returns |= ImapSearchReturnOptions.Min;
                }
                else if (r.TryWord("MAX"u8))
                {
                    returns |= ImapSearchReturnOptions.Max;
                }
                else if (r.TryWord("ALL"u8))
                {
                    returns |= ImapSearchReturnOptions.All;
                }
                else if (r.TryWord("COUNT"u8))
                {
                    returns |= ImapSearchReturnOptions.Count;
                }
                else if (r.TryWord("SAVE"u8))
                {
                    returns |= ImapSearchReturnOptions.Save;
                }
                else
                {
                    return r.Fail(ImapParseErrors.InvalidReturnOption);
                }
            }
            while (r.TryChar((byte)' '));

            if (!r.ExpectChar((byte)')', ImapParseErrors.InvalidReturnOption))
            {
                return false;
            }
        }

        if (returns == ImapSearchReturnOptions.None)
        {
            // RFC 4731 §3.1: "RETURN ()" means RETURN (ALL).
            returns = ImapSearchReturnOptions.All;
        }

        return r.ExpectSpace();
    }

    /// <summary>One or more space-separated search keys; several become an And node.</summary>
    private static bool ParseSearchKeys(ref ImapGrammarReader r, out ImapSearchKey criteria)
    {
        criteria = ImapSearchKey.All;
        if (!ParseSearchKey(ref r, out var first))
        {
            return false;
        }

        if (r.Peek != ' ')
        {
            criteria = first;
            return true;
        }

        var keys = new List<ImapSearchKey>(4) { first };
        while (r.TryChar((byte)' '))
        {
            if (!ParseSearchKey(ref r, out var next))
            {
                return false;
            }

            keys.Add(next);
        }

        criteria = new ImapSearchKey(ImapSearchKeyKind.And, Children: keys);
        return true;
    }

    // RFC 9051 §9 search-key, with RFC 3501 NEW/OLD/RECENT and the extensions' keys.
    private static bool ParseSearchKey(ref ImapGrammarReader r, out ImapSearchKey key)
    {
        key = ImapSearchKey.All;
        var first = r.Peek;
        if (first == '(')
        {
            r.Position++;
            if (!r.Enter())
            {
                return false;
            }

            var children = new List<ImapSearchKey>(2);
            do
            {
                if (!ParseSearchKey(ref r, out var child))
                {
                    return false;
                }

                children.Add(child);
            }
            while (r.TryChar((byte)' '));

            r.Leave();
            if (!r.ExpectChar((byte)')', ImapParseErrors.InvalidSearchKey))
            {
                return false;
            }

            key = new ImapSearchKey(ImapSearchKeyKind.And, Children: children);
            return true;
        }

        if (first == '*' || first == '$' || char.IsAsciiDigit((char)first))
        {
            if (!r.ParseSequenceSet(out var set))
            {
                return false;
            }

            key = new ImapSearchKey(ImapSearchKeyKind.SequenceSet, Set: set);
            return true;
        }

        if (!r.ParseAtom(out var name, ImapParseErrors.InvalidSearchKey))
        {
            return false;
        }

        if (!TryKeyword(name, out var kind))
        {
            return r.Fail(ImapParseErrors.InvalidSearchKey);
        }

        switch (kind)
        {
            case ImapSearchKeyKind.All or ImapSearchKeyKind.Answered or ImapSearchKeyKind.Deleted or ImapSearchKeyKind.Draft
                or ImapSearchKeyKind.Flagged or ImapSearchKeyKind.Seen or ImapSearchKeyKind.New or ImapSearchKeyKind.Old
                or ImapSearchKeyKind.Recent or ImapSearchKeyKind.Unanswered or ImapSearchKeyKind.Undeleted or ImapSearchKeyKind.Undraft
                or ImapSearchKeyKind.Unflagged or ImapSearchKeyKind.Unseen or ImapSearchKeyKind.SaveDateSupported:
                key = kind == ImapSearchKeyKind.All ? ImapSearchKey.All : new ImapSearchKey(kind);
                return true;

            case ImapSearchKeyKind.Not:
            {
                if (!r.ExpectSpace() || !r.Enter() || !ParseSearchKey(ref r, out var child))
                {
                    return false;
                }

                r.Leave();
                key = new ImapSearchKey(kind, Children: [child]);
                return true;
            }

            case ImapSearchKeyKind.Or:
            {
                if (!r.ExpectSpace() || !r.Enter() || !ParseSearchKey(ref r, out var left) || !r.ExpectSpace() || !ParseSearchKey(ref r, out var right))
                {
                    return false;
                }

                r.Leave();
                key = new ImapSearchKey(kind, Children: [left, right]);
                return true;
            }

            case ImapSearchKeyKind.Keyword or ImapSearchKeyKind.Unkeyword:
            {
                if (!r.ExpectSpace() || !r.ParseFlag(out var flag, allowRecent: true))
                {
                    return false;
                }

                key = new ImapSearchKey(kind, Text: flag);
                return true;
            }

            case ImapSearchKeyKind.Bcc or ImapSearchKeyKind.Body or ImapSearchKeyKind.Cc or ImapSearchKeyKind.From
                or ImapSearchKeyKind.Subject or ImapSearchKeyKind.Text or ImapSearchKeyKind.To:
            {
                if (!r.ExpectSpace() || !r.ParseAString(out var text))
                {
                    return false;
                }

                key = new ImapSearchKey(kind, Text: text);
                return true;
            }

            case ImapSearchKeyKind.Header:
            {
                if (!r.ExpectSpace() || !r.ParseAString(out var field) || !r.ExpectSpace() || !r.ParseAString(out var value))
                {
                    return false;
                }

                key = new ImapSearchKey(kind, Text: value, HeaderField: field);
                return true;
            }

            case ImapSearchKeyKind.Before or ImapSearchKeyKind.On or ImapSearchKeyKind.Since or ImapSearchKeyKind.SentBefore
                or ImapSearchKeyKind.SentOn or ImapSearchKeyKind.SentSince or ImapSearchKeyKind.SavedBefore
                or ImapSearchKeyKind.SavedOn or ImapSearchKeyKind.SavedSince:
            {
                if (!r.ExpectSpace() || !r.ParseDate(out var date))
                {
                    return false;
                }

                key = new ImapSearchKey(kind, Date: date);
                return true;
            }

            case ImapSearchKeyKind.Larger or ImapSearchKeyKind.Smaller:
            {
                if (!r.ExpectSpace() || !r.ParseNumber64(out var size))
                {
                    return false;
                }

                key = new ImapSearchKey(kind, Number: size);
                return true;
            }

            case ImapSearchKeyKind.Older or ImapSearchKeyKind.Younger:
            {
                // RFC 5032: "OLDER" SP nz-number / "YOUNGER" SP nz-number.
                if (!r.ExpectSpace() || !r.ParseNzNumber(out var seconds))
                {
                    return false;
                }

                key = new ImapSearchKey(kind, Number: seconds);
                return true;
            }

            case ImapSearchKeyKind.Uid:
            {
                if (!r.ExpectSpace() || !r.ParseSequenceSet(out var uids))
                {
                    return false;
                }

                key = new ImapSearchKey(kind, Set: uids);
                return true;
            }

            case ImapSearchKeyKind.ModSeq:
                return ParseModSeqKey(ref r, out key);

            case ImapSearchKeyKind.EmailId or ImapSearchKeyKind.ThreadId:
            {
                // RFC 8474 §4: objectid = 1*255(ALPHA / DIGIT / "_" / "-").
                if (!r.ExpectSpace() || !r.ParseAtom(out var id, ImapParseErrors.InvalidSearchKey))
                {
                    return false;
                }

                if (id.Length > 255 || !IsObjectId(id))
                {
                    return r.Fail(ImapParseErrors.InvalidSearchKey);
                }

                key = new ImapSearchKey(kind, Text: System.Text.Encoding.ASCII.GetString(id));
                return true;
            }

            default:
                return r.Fail(ImapParseErrors.InvalidSearchKey);
        }
    }

    private static bool IsObjectId(ReadOnlySpan<byte> id)
    {
        foreach (var b in id)
        {
            if (!char.IsAsciiLetterOrDigit((char)b) && b != '_' && b != '-')
            {
                return false;
            }
        }

        return true;
    }

    // RFC 7162 §3.1.5 and §7: search-modsequence = "MODSEQ" [search-modseq-ext] SP mod-sequence-valzer;
    // search-modseq-ext = SP entry-name SP entry-type-req; entry-type-req = "priv" / "shared" / "all";
    // entry-name = DQUOTE "/flags/" attr-flag DQUOTE, the flag's backslash escaped inside the quoted string.
    private static bool ParseModSeqKey(ref ImapGrammarReader r, out ImapSearchKey key)
    {
        key = ImapSearchKey.All;
        if (!r.ExpectSpace())
        {
            return false;
        }

        string? entry = null;
        string? entryType = null;
        if (r.Peek == '"')
        {
            if (!r.ParseQuoted(out var name))
            {
                return false;
            }

            if (!IsEntryFlagName(name))
            {
                return r.Fail(ImapParseErrors.InvalidModSeqEntryName);
            }

            if (!r.ExpectSpace())
            {
                return false;
            }

            entryType = r.TryWord("PRIV"u8) ? "priv" : r.TryWord("SHARED"u8) ? "shared" : r.TryWord("ALL"u8) ? "all" : null;
            if (entryType is null)
            {
                return r.Fail(r.AtEnd ? ImapParseErrors.MissingArgument : ImapParseErrors.InvalidModSeqEntryType);
            }

            entry = Encoding.ASCII.GetString(name);
            if (!r.ExpectSpace())
            {
                return false;
            }
        }

        if (!r.ParseNumber64(out var modSeq))
        {
            return false;
        }

        key = new ImapSearchKey(ImapSearchKeyKind.ModSeq, Text: entry, HeaderField: entryType, Number: modSeq);
        return true;
    }

    // RFC 7162 §7: "/flags/" attr-flag, where attr-flag = "\\" atom (a system or extension flag) / atom (a keyword).
    private static bool IsEntryFlagName(ReadOnlySpan<byte> name)
    {
        if (name.Length <= 7 || !Ascii.EqualsIgnoreCase(name[..7], "/flags/"u8))
        {
            return false;
        }

        var flag = name[7..];
        return ImapGrammarReader.IsAtom(flag[0] == '\\' ? flag[1..] : flag);
    }

    private static bool TryKeyword(ReadOnlySpan<byte> name, out ImapSearchKeyKind kind)
    {
        kind = name.Length switch
        {
            2 when Is(name, "OR"u8) => ImapSearchKeyKind.Or,
            2 when Is(name, "CC"u8) => ImapSearchKeyKind.Cc,
            2 when Is(name, "ON"u8) => ImapSearchKeyKind.On,
            2 when Is(name, "TO"u8) => ImapSearchKeyKind.To,
            3 when Is(name, "ALL"u8) => ImapSearchKeyKind.All,
            3 when Is(name, "NOT"u8) => ImapSearchKeyKind.Not,
            3 when Is(name, "BCC"u8) => ImapSearchKeyKind.Bcc,
            3 when Is(name, "NEW"u8) => ImapSearchKeyKind.New,
            3 when Is(name, "OLD"u8) => ImapSearchKeyKind.Old,
            3 when Is(name, "UID"u8) => ImapSearchKeyKind.Uid,
            4 when Is(name, "BODY"u8) => ImapSearchKeyKind.Body,
            4 when Is(name, "FROM"u8) => ImapSearchKeyKind.From,
            4 when Is(name, "SEEN"u8) => ImapSearchKeyKind.Seen,
            4 when Is(name, "TEXT"u8) => ImapSearchKeyKind.Text,
            5 when Is(name, "DRAFT"u8) => ImapSearchKeyKind.Draft,
            5 when Is(name, "SINCE"u8) => ImapSearchKeyKind.Since,
            5 when Is(name, "OLDER"u8) => ImapSearchKeyKind.Older,
            6 when Is(name, "BEFORE"u8) => ImapSearchKeyKind.Before,
            6 when Is(name, "HEADER"u8) => ImapSearchKeyKind.Header,
            6 when Is(name, "LARGER"u8) => ImapSearchKeyKind.Larger,
            6 when Is(name, "RECENT"u8) => ImapSearchKeyKind.Recent,
            6 when Is(name, "SENTON"u8) => ImapSearchKeyKind.SentOn,
            6 when Is(name, "UNSEEN"u8) => ImapSearchKeyKind.Unseen,
            6 when Is(name, "MODSEQ"u8) => ImapSearchKeyKind.ModSeq,
            7 when Is(name, "DELETED"u8) => ImapSearchKeyKind.Deleted,
            7 when Is(name, "FLAGGED"u8) => ImapSearchKeyKind.Flagged,
            7 when Is(name, "KEYWORD"u8) => ImapSearchKeyKind.Keyword,
            7 when Is(name, "SMALLER"u8) => ImapSearchKeyKind.Smaller,
            7 when Is(name, "SUBJECT"u8) => ImapSearchKeyKind.Subject,
            7 when Is(name, "UNDRAFT"u8) => ImapSearchKeyKind.Undraft,
            7 when Is(name, "YOUNGER"u8) => ImapSearchKeyKind.Younger,
            7 when Is(name, "EMAILID"u8) => ImapSearchKeyKind.EmailId,
            7 when Is(name, "SAVEDON"u8) => ImapSearchKeyKind.SavedOn,
            8 when Is(name, "ANSWERED"u8) => ImapSearchKeyKind.Answered,
            8 when Is(name, "THREADID"u8) => ImapSearchKeyKind.ThreadId,
            9 when Is(name, "SENTSINCE"u8) => ImapSearchKeyKind.SentSince,
            9 when Is(name, "UNDELETED"u8) => ImapSearchKeyKind.Undeleted,
            9 when Is(name, "UNFLAGGED"u8) => ImapSearchKeyKind.Unflagged,
            9 when Is(name, "UNKEYWORD"u8) => ImapSearchKeyKind.Unkeyword,
            10 when Is(name, "SENTBEFORE"u8) => ImapSearchKeyKind.SentBefore,
            10 when Is(name, "UNANSWERED"u8) => ImapSearchKeyKind.Unanswered,
            10 when Is(name, "SAVEDSINCE"u8) => ImapSearchKeyKind.SavedSince,
            11 when Is(name, "SAVEDBEFORE"u8) => ImapSearchKeyKind.SavedBefore,
            17 when Is(name, "SAVEDATESUPPORTED"u8) => ImapSearchKeyKind.SaveDateSupported,
            _ => (ImapSearchKeyKind)(-1),
        };

        return kind != (ImapSearchKeyKind)(-1);
    }

    // RFC 5256 §3 / RFC 5267: sort = ["UID" SP] "SORT" [search-return-opts] SP sort-criteria SP search-criteria;
    // sort-criteria = "(" sort-criterion *(SP sort-criterion) ")"; search-criteria = charset 1*(SP search-key).
    private static SortCommand? ParseSort(ref ImapGrammarReader r, string tag, bool isUid)
    {
        if (!r.ExpectSpace() || !ParseSearchReturn(ref r, out var hasReturn, out var returns)
            || !r.ExpectChar((byte)'(', ImapParseErrors.InvalidSortCriterion))
        {
            return null;
        }

        var criteria = new List<ImapSortCriterion>(2);
        do
        {
            var reverse = r.TryWord("REVERSE"u8) && r.ExpectSpace();
            if (r.Error is not null || !r.ParseAtom(out var keyName, ImapParseErrors.InvalidSortCriterion))
            {
                return null;
            }

            ImapSortKey? key = Is(keyName, "ARRIVAL"u8) ? ImapSortKey.Arrival
                : Is(keyName, "CC"u8) ? ImapSortKey.Cc
                : Is(keyName, "DATE"u8) ? ImapSortKey.Date
                : Is(keyName, "FROM"u8) ? ImapSortKey.From
                : Is(keyName, "SIZE"u8) ? ImapSortKey.Size
                : Is(keyName, "SUBJECT"u8) ? ImapSortKey.Subject
                : Is(keyName, "TO"u8) ? ImapSortKey.To
                : null;
            if (key is null)
            {
                r.Fail(ImapParseErrors.InvalidSortCriterion);
                return null;
            }

            criteria.Add(new ImapSortCriterion(key.Value, reverse));
        }
        while (r.TryChar((byte)' '));

        if (!r.ExpectChar((byte)')', ImapParseErrors.InvalidSortCriterion) || !r.ExpectSpace()
            || !ParseCharset(ref r, out var charset) || !r.ExpectSpace() || !ParseSearchKeys(ref r, out var search))
        {
            return null;
        }

        return new SortCommand(tag, isUid, criteria, charset, hasReturn, returns, search);
    }

    // RFC 5256 §3: thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria.
    private static ThreadCommand? ParseThread(ref ImapGrammarReader r, string tag, bool isUid)
    {
        if (!r.ExpectSpace() || !r.ParseAtom(out var algorithmName, ImapParseErrors.InvalidThreadAlgorithm))
        {
            return null;
        }

        ImapThreadAlgorithm algorithm;
        if (Is(algorithmName, "ORDEREDSUBJECT"u8))
        {
            algorithm = ImapThreadAlgorithm.OrderedSubject;
        }
        else if (Is(algorithmName, "REFERENCES"u8))
        {
            algorithm = ImapThreadAlgorithm.References;
        }
        else
        {
            r.Fail(ImapParseErrors.InvalidThreadAlgorithm);
            return null;
        }

        return r.ExpectSpace() && ParseCharset(ref r, out var charset) && r.ExpectSpace() && ParseSearchKeys(ref r, out var search)
            ? new ThreadCommand(tag, isUid, algorithm, charset, search)
            : null;
    }
}
