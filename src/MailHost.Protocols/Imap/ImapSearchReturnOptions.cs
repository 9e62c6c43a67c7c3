namespace MailHost.Protocols.Imap;

/// <summary>ESEARCH <c>RETURN</c> options (RFC 4731, RFC 5182 SAVE, RFC 5267 for SORT).</summary>
[Flags]
public enum ImapSearchReturnOptions
{
    /// <summary>No RETURN clause: a plain SEARCH/SORT response.</summary>
    None = 0,

    /// <summary><c>MIN</c>.</summary>
    Min = 1,

    /// <summary><c>MAX</c>.</summary>
    Max = 2,

    /// <summary><c>ALL</c> (also what <c>RETURN ()</c> means, RFC 4731 §3.1).</summary>
    All = 4,

    /// <summary><c>COUNT</c>.</summary>
    Count = 8,

    /// <summary><c>SAVE</c> (RFC 5182).</summary>
    Save = 16,
}
