using MailHost.Protocols.MailAuthentication;

namespace MailHost.MailAuthentication;

/// <summary>The DMARC evaluation of one message (RFC 7489 §6.6).</summary>
/// <param name="Result">The DMARC result.</param>
/// <param name="FromDomain">The RFC5322.From domain (lower-case ASCII), or <see langword="null"/> when it could not be determined.</param>
/// <param name="Reason">A short explanation for the log and the header comment.</param>
internal sealed record DmarcVerdict(DmarcResult Result, string? FromDomain, string Reason)
{
    /// <summary>The policy the record asks for this domain (<c>p=</c>, or <c>sp=</c> for a subdomain), or <see langword="null"/> without a record.</summary>
    public DmarcPolicy? RequestedPolicy { get; init; }

    /// <summary>
    /// The policy to apply to this message: <see cref="DmarcPolicy.None"/> unless it failed; for a failure the
    /// requested policy, or the next lower one when <c>pct=</c> sampling left the message out (§6.6.4).
    /// </summary>
    public DmarcPolicy AppliedPolicy { get; init; }

    /// <summary>The domain whose <c>_dmarc</c> record was used (the From domain or its organizational domain).</summary>
    public string? RecordDomain { get; init; }

    /// <summary>The parsed record, when one was found.</summary>
    public DmarcRecord? Record { get; init; }
}
