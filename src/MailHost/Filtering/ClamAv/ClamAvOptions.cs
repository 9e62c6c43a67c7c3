namespace MailHost.Filtering.ClamAv;

/// <summary>
/// The ClamAV virus filter, configuration section <c>MailHost:Filtering:ClamAv</c>: at the end of DATA each message is
/// streamed to clamd with <c>INSTREAM</c> (clamd(8)). A message with a virus is refused with <c>554 5.7.1</c>; a clean
/// one is stored with <c>X-Virus-Scanned: ClamAV on &lt;this server's name&gt;</c> and <c>X-Virus-Status: Clean</c>.
/// The filter is on when <see cref="Address"/> is set.
/// </summary>
/// <remarks>
/// Both fields are replaced, never added beside the sender's: a message that arrives with its own
/// <c>X-Virus-Status: Clean</c> must not keep it. Defaults differ from <see cref="InboundFilterPolicy"/>'s:
/// <see cref="InboundFilterPolicy.Order"/> 200 (after cheaper filters such as block lists),
/// <see cref="InboundFilterPolicy.Timeout"/> 30 s (scanning a large message with many attachments takes time) and
/// <see cref="InboundFilterPolicy.OnFailure"/> <see cref="InboundFilterFailurePolicy.TempFail"/> (a virus scanner
/// that is down must not let messages through unscanned unless the operator says so).
/// </remarks>
public sealed class ClamAvOptions : InboundFilterPolicy
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "MailHost:Filtering:ClamAv";

    /// <summary>clamd's default <c>StreamMaxLength</c>, 25 MiB: the default of <see cref="MaxScanSize"/>.</summary>
    public const long DefaultMaxScanSize = 25L * 1024 * 1024;

    /// <summary>The default of <see cref="ChunkSize"/>, 64 KiB.</summary>
    public const int DefaultChunkSize = 64 * 1024;

    /// <summary>Sets the ClamAV defaults: order 200, time-out 30 s, temporary failure when clamd cannot answer.</summary>
    public ClamAvOptions()
    {
        Order = 200;
        Timeout = TimeSpan.FromSeconds(30);
        OnFailure = InboundFilterFailurePolicy.TempFail;
    }

    /// <summary>
    /// Where clamd listens: <c>tcp://host:port</c> (its <c>TCPSocket</c> and <c>TCPAddr</c>, e.g.
    /// <c>tcp://127.0.0.1:3310</c>) or <c>unix:</c> followed by the absolute path of its <c>LocalSocket</c> (e.g.
    /// <c>unix:/run/clamav/clamd.ctl</c>; Linux, macOS and Windows 10 or later). Unset: the filter is off.
    /// </summary>
    public string? Address { get; set; }

    /// <summary>
    /// The largest message, in octets as received (with this server's Received field), that is sent to clamd. Larger
    /// messages are not scanned: they are accepted with <c>X-Virus-Scanned: skipped (too large)</c>, and any
    /// <c>X-Virus-Status</c> the sender wrote is removed. Default 25 MiB, clamd's default <c>StreamMaxLength</c>; keep it
    /// at or below clamd's setting.
    /// </summary>
    /// <remarks>
    /// Accepting rather than applying <see cref="InboundFilterPolicy.OnFailure"/> is deliberate: clamd itself would
    /// refuse the stream (<c>INSTREAM size limit exceeded</c>), so a temporary failure would make the sender retry a
    /// message that can never be scanned until it bounces. A size limit in front of the scanner is the operator's
    /// choice, and the header field tells the recipient's filters that this message was not scanned. When clamd's
    /// <c>StreamMaxLength</c> is lower than this setting, messages between the two are treated the same way (and a
    /// warning is logged). Refuse larger messages with <c>MailHost:Smtp:MaxMessageSize</c> instead if unscanned mail is
    /// not acceptable.
    /// </remarks>
    public long MaxScanSize { get; set; } = DefaultMaxScanSize;

    /// <summary>
    /// The size of one <c>INSTREAM</c> chunk in octets, 1 KiB to 16 MiB; default 64 KiB. The message is read and sent
    /// through one buffer of this size, never held whole in memory.
    /// </summary>
    public int ChunkSize { get; set; } = DefaultChunkSize;
}
