using MailHost.Protocols.Text;

namespace MailHost.Smtp;

/// <summary>SMTP settings for the MX and submission endpoints (configuration section <c>MailHost:Smtp</c>).</summary>
public sealed class SmtpOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "MailHost:Smtp";

    /// <summary>
    /// The largest message accepted, in octets, as advertised with SIZE (RFC 1870) and enforced while streaming
    /// (<c>552 5.3.4</c>). The store's own limit still applies. Default 50 MiB.
    /// </summary>
    public long MaxMessageSize { get; set; } = 50L * 1024 * 1024;

    /// <summary>Recipients per transaction; more get <c>452 4.5.3</c>. RFC 5321 §4.5.3.1.8 asks for at least 100. Default 100.</summary>
    public int MaxRecipients { get; set; } = 100;

    /// <summary>
    /// What a bare CR or LF in DATA does (SMTP smuggling defence, RFC 5321 §2.3.8). Default
    /// <see cref="DotBareLineEnding.Normalize"/>: written as CRLF. <see cref="DotBareLineEnding.Reject"/>: the message gets
    /// <c>550 5.6.11</c>. Either way only CRLF.CRLF ends DATA.
    /// </summary>
    public DotBareLineEnding BareLineEndings { get; set; } = DotBareLineEnding.Normalize;

    /// <summary>
    /// On submission, whether MAIL FROM must be one of the authenticated account's addresses or aliases (the null
    /// reverse-path is allowed for notifications). Default true.
    /// </summary>
    public bool RequireOwnAddressInMailFrom { get; set; } = true;

    /// <summary>
    /// On submission, whether every address in the message's From field, and in its Sender field when there is one,
    /// must be one of the authenticated account's addresses or aliases (as for <see cref="RequireOwnAddressInMailFrom"/>).
    /// A message that fails, or whose From field cannot be parsed, gets <c>550 5.7.1</c> at the end of DATA or BDAT
    /// LAST; so does a From field with several authors and no Sender field (RFC 5322 §3.6.2). Turned off, any From
    /// is accepted, but outbound mail is still DKIM-signed only for domains of the submitter's addresses. Default true.
    /// </summary>
    public bool RequireOwnAddressInHeaderFrom { get; set; } = true;

    /// <summary>
    /// Received header fields a message may already carry; at this many the message is refused as a mail loop
    /// (<c>554 5.4.6</c>, RFC 5321 §6.3). Default 50.
    /// </summary>
    public int MaxReceivedHeaders { get; set; } = 50;

    /// <summary>Error replies tolerated on one connection before it is closed with <c>421</c>. Default 10.</summary>
    public int MaxErrors { get; set; } = 10;

    /// <summary>
    /// How long the server waits for a whole command line, from the end of the previous one to its CRLF, however the
    /// bytes arrive (RFC 5321 §4.5.3.2.7: at least 5 minutes); also each SASL response line. Before AUTH on
    /// submission the endpoint's pre-authentication timeout applies when shorter. Default 5 minutes.
    /// </summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The time budget of one DATA transfer or BDAT chunk (RFC 5321 §4.5.3.2.5: 3 minutes per block): it runs down
    /// from the start of the transfer and every octet received adds 1/<see cref="MinDataRate"/> seconds, never past
    /// this value. A pause of this long is forgiven; a slower trickle is cut with <c>421</c>. Default 3 minutes.
    /// </summary>
    public TimeSpan DataTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// The transfer rate, in octets per second, that DATA and BDAT content must average to keep earning time (see
    /// <see cref="DataTimeout"/>; Postfix's <c>smtpd_min_data_rate</c> has the same meaning and default). 0 earns
    /// nothing: the whole transfer must fit in <see cref="DataTimeout"/>. Default 500.
    /// </summary>
    public int MinDataRate { get; set; } = 500;

    /// <summary>
    /// The longest an SMTP session may last while nobody has authenticated on it: every MX session, and a submission
    /// session until AUTH succeeds. Past it the client gets <c>421 4.4.2</c> and the connection closes; a transfer in
    /// progress is dropped unacknowledged, so the sender retries. A relaying MTA delivers a handful of messages per
    /// connection and opens a new one for more; 30 minutes still lets a maximum-size message (50 MiB) arrive at
    /// about 30 KB/s. Zero turns the limit off. Default 30 minutes.
    /// </summary>
    public TimeSpan SessionTimeLimit { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long a flush of replies may wait for the client to read them; past it the connection is closed. While a
    /// flush waits no further command is read, so a pipelining client that never reads is held to about 64 KiB of
    /// buffered replies. Default 2 minutes.
    /// </summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The subaddress separator (<c>user+tag@example.com</c> delivers to <c>user@example.com</c> when no address
    /// matches exactly). Null or empty turns subaddressing off. Default <c>+</c>.
    /// </summary>
    public string? SubaddressSeparator { get; set; } = "+";

    /// <summary>
    /// Unknown local recipients one client address may try within <see cref="UnknownRecipientWindow"/> (directory
    /// harvesting, SECURITY D2); past it every RCPT from that address gets <c>450 4.7.1</c> until the window ends. 0 turns the limit off. Default 20.
    /// </summary>
    public int MaxUnknownRecipientsPerClient { get; set; } = 20;

    /// <summary>The window of <see cref="MaxUnknownRecipientsPerClient"/>. Default 10 minutes.</summary>
    public TimeSpan UnknownRecipientWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Where message content waits, once it passes <see cref="SpoolMemoryThreshold"/>, between the end of DATA and
    /// delivery. Null uses a directory of the process's own (mode 0700) under the system's temporary directory; the
    /// host sets <c>spool</c> in its data directory. Files are owner-only (0600) and deleted when the transaction ends.
    /// </summary>
    public string? SpoolDirectory { get; set; }

    /// <summary>Content up to this many octets waits in memory instead. Default 256 KiB.</summary>
    public int SpoolMemoryThreshold { get; set; } = 256 * 1024;
}
