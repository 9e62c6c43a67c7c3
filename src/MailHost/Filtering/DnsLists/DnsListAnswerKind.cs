namespace MailHost.Filtering.DnsLists;

/// <summary>What one list said about the client's address.</summary>
internal enum DnsListAnswerKind
{
    /// <summary>No A record (NXDOMAIN or NODATA), or only answers not configured as codes.</summary>
    NotListed,

    /// <summary>At least one answer counts as a listing.</summary>
    Listed,

    /// <summary>
    /// Only answers that are errors, not listings: outside 127.0.0.0/8 (RFC 5782 §2.1 keeps answers there) or a code
    /// that refuses the query (127.0.0.1, 127.255.255.0/24). Treated as not listed, and logged.
    /// </summary>
    Error,

    /// <summary>No answer: a temporary DNS failure, a time-out, or the lookup was stopped.</summary>
    Unknown,
}
