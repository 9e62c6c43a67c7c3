namespace MailHost.Protocols.Imap;

/// <summary>SORT keys (RFC 5256 §3).</summary>
public enum ImapSortKey
{
    /// <summary><c>ARRIVAL</c>.</summary>
    Arrival,

    /// <summary><c>CC</c>.</summary>
    Cc,

    /// <summary><c>DATE</c>.</summary>
    Date,

    /// <summary><c>FROM</c>.</summary>
    From,

    /// <summary><c>SIZE</c>.</summary>
    Size,

    /// <summary><c>SUBJECT</c>.</summary>
    Subject,

    /// <summary><c>TO</c>.</summary>
    To,
}
