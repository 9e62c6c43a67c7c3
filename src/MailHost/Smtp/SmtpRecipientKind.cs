namespace MailHost.Smtp;

/// <summary>What a forward-path turned out to be.</summary>
internal enum SmtpRecipientKind
{
    /// <summary>An address, alias or subaddress of an enabled local account.</summary>
    Local,

    /// <summary>A local domain, but no enabled account has the address.</summary>
    Unknown,

    /// <summary>A domain that is not local: relaying, allowed only for authenticated submission.</summary>
    External,

    /// <summary>
    /// An address literal, or routing characters (<c>%</c>, <c>@</c>, <c>!</c>) in the local part: never local and never
    /// relayed (SECURITY E1).
    /// </summary>
    RoutingTrick,
}
