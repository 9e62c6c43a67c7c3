namespace MailHost.Filtering;

/// <summary>
/// The settings of the inbound filter pipeline under <c>MailHost:Filtering</c>; each shipped filter has its own
/// section below it (<c>Rspamd</c>, <c>ClamAv</c>, <c>DnsLists</c>).
/// </summary>
public sealed class InboundFilteringOptions
{
    /// <summary>The configuration section: <c>MailHost:Filtering</c>.</summary>
    public const string SectionName = "MailHost:Filtering";

    /// <summary>
    /// The account whose <see cref="QuarantineMailbox"/> receives quarantined messages, with header fields naming
    /// the filters' reasons and the original recipients. Without it a quarantine verdict delivers to each local
    /// recipient's Junk mailbox instead, and a message for external recipients is refused (550 5.7.1).
    /// </summary>
    public string? QuarantineAccount { get; set; }

    /// <summary>The mailbox of <see cref="QuarantineAccount"/> for quarantined messages; created when missing. Default <c>Quarantine</c>.</summary>
    public string QuarantineMailbox { get; set; } = "Quarantine";

    /// <summary>Messages waiting to be taught to the spam classifiers; past it new ones are dropped (and logged). Default 1,000.</summary>
    public int JunkTrainingQueueCapacity { get; set; } = 1000;

    /// <summary>The most messages of one IMAP command taught (a user moving 10,000 messages teaches the first ones). Default 100.</summary>
    public int JunkTrainingMaxPerCommand { get; set; } = 100;

    /// <summary>Messages taught per second at most, over all accounts, so training never competes with mail. Default 5.</summary>
    public double JunkTrainingPerSecond { get; set; } = 5;
}
