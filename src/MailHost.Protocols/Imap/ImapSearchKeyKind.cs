namespace MailHost.Protocols.Imap;

/// <summary>
/// SEARCH keys (RFC 9051 §6.4.4, RFC 3501 §6.4.4 for NEW/OLD/RECENT, RFC 7162 MODSEQ, RFC 5032 OLDER/YOUNGER,
/// RFC 8514 SAVEDATE, RFC 8474 EMAILID/THREADID, RFC 5182 <c>$</c>). The comment on each member names the
/// <see cref="ImapSearchKey"/> property that carries its argument.
/// </summary>
public enum ImapSearchKeyKind
{
    /// <summary>Every child key must match (a parenthesised list or the top-level list): <see cref="ImapSearchKey.Children"/>.</summary>
    And,

    /// <summary><c>OR a b</c>: <see cref="ImapSearchKey.Children"/> (two).</summary>
    Or,

    /// <summary><c>NOT a</c>: <see cref="ImapSearchKey.Children"/> (one).</summary>
    Not,

    /// <summary><c>ALL</c>.</summary>
    All,

    /// <summary><c>ANSWERED</c>.</summary>
    Answered,

    /// <summary><c>DELETED</c>.</summary>
    Deleted,

    /// <summary><c>DRAFT</c>.</summary>
    Draft,

    /// <summary><c>FLAGGED</c>.</summary>
    Flagged,

    /// <summary><c>SEEN</c>.</summary>
    Seen,

    /// <summary><c>NEW</c> (IMAP4rev1).</summary>
    New,

    /// <summary><c>OLD</c> (IMAP4rev1).</summary>
    Old,

    /// <summary><c>RECENT</c> (IMAP4rev1).</summary>
    Recent,

    /// <summary><c>UNANSWERED</c>.</summary>
    Unanswered,

    /// <summary><c>UNDELETED</c>.</summary>
    Undeleted,

    /// <summary><c>UNDRAFT</c>.</summary>
    Undraft,

    /// <summary><c>UNFLAGGED</c>.</summary>
    Unflagged,

    /// <summary><c>UNSEEN</c>.</summary>
    Unseen,

    /// <summary><c>KEYWORD flag</c>: <see cref="ImapSearchKey.Text"/>.</summary>
    Keyword,

    /// <summary><c>UNKEYWORD flag</c>: <see cref="ImapSearchKey.Text"/>.</summary>
    Unkeyword,

    /// <summary><c>BCC string</c>: <see cref="ImapSearchKey.Text"/>.</summary>
    Bcc,

    /// <summary><c>BODY string</c>: <see cref="ImapSearchKey.Text"/>.</summary>
    Body,

    /// <summary><c>CC string</c>: <see cref="ImapSearchKey.Text"/>.</summary>
    Cc,

    /// <summary><c>FROM string</c>: <see cref="ImapSearchKey.Text"/>.</summary>
    From,

    /// <summary><c>SUBJECT string</c>: <see cref="ImapSearchKey.Text"/>.</summary>
    Subject,

    /// <summary><c>TEXT string</c>: <see cref="ImapSearchKey.Text"/>.</summary>
    Text,

    /// <summary><c>TO string</c>: <see cref="ImapSearchKey.Text"/>.</summary>
    To,

    /// <summary><c>HEADER field string</c>: <see cref="ImapSearchKey.HeaderField"/> and <see cref="ImapSearchKey.Text"/>.</summary>
    Header,

    /// <summary><c>BEFORE date</c> (internal date): <see cref="ImapSearchKey.Date"/>.</summary>
    Before,

    /// <summary><c>ON date</c>: <see cref="ImapSearchKey.Date"/>.</summary>
    On,

    /// <summary><c>SINCE date</c>: <see cref="ImapSearchKey.Date"/>.</summary>
    Since,

    /// <summary><c>SENTBEFORE date</c>: <see cref="ImapSearchKey.Date"/>.</summary>
    SentBefore,

    /// <summary><c>SENTON date</c>: <see cref="ImapSearchKey.Date"/>.</summary>
    SentOn,

    /// <summary><c>SENTSINCE date</c>: <see cref="ImapSearchKey.Date"/>.</summary>
    SentSince,

    /// <summary><c>SAVEDBEFORE date</c> (RFC 8514): <see cref="ImapSearchKey.Date"/>.</summary>
    SavedBefore,

    /// <summary><c>SAVEDON date</c>: <see cref="ImapSearchKey.Date"/>.</summary>
    SavedOn,

    /// <summary><c>SAVEDSINCE date</c>: <see cref="ImapSearchKey.Date"/>.</summary>
    SavedSince,

    /// <summary><c>SAVEDATESUPPORTED</c> (RFC 8514).</summary>
    SaveDateSupported,

    /// <summary><c>LARGER n</c>: <see cref="ImapSearchKey.Number"/>.</summary>
    Larger,

    /// <summary><c>SMALLER n</c>: <see cref="ImapSearchKey.Number"/>.</summary>
    Smaller,

    /// <summary><c>OLDER seconds</c> (RFC 5032): <see cref="ImapSearchKey.Number"/>.</summary>
    Older,

    /// <summary><c>YOUNGER seconds</c> (RFC 5032): <see cref="ImapSearchKey.Number"/>.</summary>
    Younger,

    /// <summary>
    /// <c>MODSEQ [entry-name entry-type] modseq</c> (RFC 7162 §3.1.5): <see cref="ImapSearchKey.Number"/>,
    /// and <see cref="ImapSearchKey.Text"/> (entry name) and <see cref="ImapSearchKey.HeaderField"/> (priv/shared/all) when given.
    /// </summary>
    ModSeq,

    /// <summary>A bare sequence set (message numbers), <c>$</c> included: <see cref="ImapSearchKey.Set"/>.</summary>
    SequenceSet,

    /// <summary><c>UID set</c>: <see cref="ImapSearchKey.Set"/>.</summary>
    Uid,

    /// <summary><c>EMAILID objectid</c> (RFC 8474): <see cref="ImapSearchKey.Text"/>.</summary>
    EmailId,

    /// <summary><c>THREADID objectid</c> (RFC 8474): <see cref="ImapSearchKey.Text"/>.</summary>
    ThreadId,
}
