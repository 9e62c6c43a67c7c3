namespace MailHost.Dns;

/// <summary>How a DNS query ended.</summary>
public enum DnsLookupStatus
{
    /// <summary>Records of the asked type exist.</summary>
    Found = 0,

    /// <summary>The name exists but has no records of the asked type (NODATA).</summary>
    NoRecords = 1,

    /// <summary>The name does not exist (NXDOMAIN, RCODE 3).</summary>
    NonExistentDomain = 2,

    /// <summary>No usable answer now (timeout, SERVFAIL): try again later.</summary>
    TemporaryFailure = 3,
}
