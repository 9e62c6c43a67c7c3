namespace MailHost.MailAuthentication;

/// <summary>
/// Inbound mail authentication on the MX endpoint (configuration section <c>MailHost:MailAuthentication</c>): SPF
/// (RFC 7208), DKIM (RFC 6376, RFC 8463), DMARC (RFC 7489) and the Authentication-Results field (RFC 8601). Mail
/// from authenticated clients and on submission endpoints is not checked.
/// </summary>
public sealed class MailAuthenticationOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "MailHost:MailAuthentication";

    /// <summary>Where Debian's <c>publicsuffix</c> package installs the Public Suffix List, used when <see cref="PublicSuffixListPath"/> is not set.</summary>
    public const string DefaultPublicSuffixListPath = "/usr/share/publicsuffix/public_suffix_list.dat";

    /// <summary>Whether messages on the MX endpoint are checked and get an Authentication-Results field. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The longest wait for one DNS answer; past it the lookup is a temporary failure. Default 5 seconds.</summary>
    public TimeSpan DnsTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The time all checks of one message may take together; lookups after it are temporary failures, so a dead
    /// resolver delays a message by at most this much. RFC 7208 §4.6.4 asks that SPF be allowed at least 20 seconds.
    /// Default 20 seconds.
    /// </summary>
    public TimeSpan TimeBudget { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Lookups in a row that the resolver leaves unanswered (timed out or failed to send) before lookups fail at once,
    /// so that a dead resolver stops costing every message its <see cref="TimeBudget"/>. 0 turns this off. Default 5.
    /// </summary>
    public int DnsFailFastAfter { get; set; } = 5;

    /// <summary>
    /// While lookups fail at once, how often one lookup tests the resolver again; its answer ends the fast failing.
    /// Default 30 seconds.
    /// </summary>
    public TimeSpan DnsFailFastProbeInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>DKIM signatures verified per message, top-most first; further ones are ignored. Default 5.</summary>
    public int MaxDkimSignatures { get; set; } = 5;

    /// <summary>
    /// Messages larger than this (octets) are not hashed for DKIM: each signature is reported as <c>policy</c>. SPF and
    /// DMARC still run. Default 64 MiB.
    /// </summary>
    public long MaxVerifiedMessageSize { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// The Public Suffix List file (https://publicsuffix.org/list/public_suffix_list.dat) that defines organizational
    /// domains for DMARC. Null uses <see cref="DefaultPublicSuffixListPath"/> when it exists, otherwise a small
    /// built-in fallback (the last two labels, three under common registries such as co.uk). A configured path that
    /// does not exist stops the start-up.
    /// </summary>
    public string? PublicSuffixListPath { get; set; }

    /// <summary>
    /// Whether DMARC policies are applied: <c>p=reject</c> failures get <c>550 5.7.1</c>, <c>p=quarantine</c> failures
    /// go to the recipients' Junk mailbox, both subject to <c>pct=</c>. Off, results are only recorded. Default false.
    /// </summary>
    public bool DmarcEnforcement { get; set; }

    /// <summary>
    /// With <see cref="DmarcEnforcement"/>, whether a DMARC temperror gets <c>451 4.4.3</c> (try later) instead of being
    /// delivered. A temporary error never causes a permanent refusal. Default false.
    /// </summary>
    public bool DeferOnTemporaryError { get; set; }

    /// <summary>Whether the HELO identity is also checked with SPF (RFC 7208 §2.3) and reported as <c>smtp.helo</c>. Default false.</summary>
    public bool CheckHelo { get; set; }

    /// <summary>SPF void lookups allowed before permerror (RFC 7208 §4.6.4 recommends 2). Default 2.</summary>
    public int SpfVoidLookupLimit { get; set; } = 2;
}
