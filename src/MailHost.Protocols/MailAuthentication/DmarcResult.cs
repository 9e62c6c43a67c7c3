namespace MailHost.Protocols.MailAuthentication;

/// <summary>The DMARC result, as Authentication-Results spells it (RFC 7489 §11.2).</summary>
public enum DmarcResult
{
    /// <summary>No DMARC policy record was published for the author domain.</summary>
    None = 0,

    /// <summary>An aligned identifier passed SPF or DKIM.</summary>
    Pass = 1,

    /// <summary>No aligned identifier passed.</summary>
    Fail = 2,

    /// <summary>A transient error, such as a DNS failure, prevented a result.</summary>
    TempError = 3,

    /// <summary>A permanent error, such as an unusable policy record or an unusable From field.</summary>
    PermError = 4,
}
