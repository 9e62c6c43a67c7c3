using MailHost.Delivery;
using MailHost.Protocols.Smtp;
using MailHost.Storage;

namespace MailHost.Smtp;

/// <summary>One mail transaction (RFC 5321 §3.3): from an accepted MAIL to the end of its data, or RSET.</summary>
internal sealed class SmtpTransaction(MailCommand mail, string id) : IAsyncDisposable
{
    public MailCommand Mail { get; } = mail;

    /// <summary>A short id for logs, the Received header and the 250 reply.</summary>
    public string Id { get; } = id;

    /// <summary>Every accepted RCPT (local and external), for the limit and the Received header's "for".</summary>
    public int RecipientCount { get; set; }

    /// <summary>The local mailboxes, one per account however many of its addresses were given.</summary>
    public List<DeliveryTarget> LocalTargets { get; } = [];

    /// <summary>External recipients (authenticated submission only), for the outbound queue.</summary>
    public List<OutboundRecipient> ExternalRecipients { get; } = [];

    /// <summary>The only accepted recipient while there is exactly one (Received "for" clause).</summary>
    public SmtpMailbox? SingleRecipient { get; set; }

    /// <summary>The content so far; created at DATA or the first BDAT.</summary>
    public MessageSpool? Spool { get; set; }

    /// <summary>Octets of the Return-Path line at the start of <see cref="Spool"/> (skipped for outbound delivery).</summary>
    public long ReturnPathLength { get; set; }

    /// <summary>Octets of the Return-Path and Received fields at the start of <see cref="Spool"/>: where the client's content begins.</summary>
    public long ContentOffset { get; set; }

    /// <summary>Octets of client content received (the added header fields not counted), for SIZE.</summary>
    public long ContentLength { get; set; }

    public SmtpReceivedCounter Received { get; } = new();

    /// <summary>Set when writing the spool failed; the data is still read to its end, then refused.</summary>
    public bool SpoolFailed { get; set; }

    /// <summary>The spool write failed because the disk is full (452 4.3.1 rather than 451 4.3.0).</summary>
    public bool SpoolOutOfSpace { get; set; }

    public bool IsChunking { get; set; }

    public async ValueTask DisposeAsync()
    {
        if (Spool is not null)
        {
            await Spool.DisposeAsync().ConfigureAwait(false);
            Spool = null;
        }
    }
}
