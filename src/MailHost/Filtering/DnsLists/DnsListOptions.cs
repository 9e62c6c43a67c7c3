namespace MailHost.Filtering.DnsLists;

/// <summary>
/// The DNS block list and allow list filter (RFC 5782), configuration section <c>MailHost:Filtering:DnsLists</c>; on
/// when at least one list is configured. At connect, every list is asked about the client's address at once: a
/// listing on an allow list accepts the client (and by default skips the later filters), otherwise a listing on a
/// block list rejects it (<c>554 5.7.1</c> greeting) or marks its mail as junk.
/// </summary>
/// <remarks>
/// Defaults differ from other filters: <see cref="InboundFilterPolicy.Order"/> 50 (first, so a refused client costs
/// nothing more), <see cref="InboundFilterPolicy.Timeout"/> 5 s, and <see cref="InboundFilterPolicy.OnFailure"/>
/// <see cref="InboundFilterFailurePolicy.Accept"/>: a list that is down must not stop mail. Each list gets three
/// quarters of the time limit, so the others can still decide when one does not answer; a list that neither answers
/// nor is outvoted by another makes the filter fail.
/// </remarks>
public sealed class DnsListOptions : InboundFilterPolicy
{
    /// <summary>The default <see cref="ReplyText"/>.</summary>
    public const string DefaultReplyText = "Client address {address} is listed by {zone}{: reason}";

    /// <summary>Sets the defaults of this filter's policy (order 50, 5 s, accept on failure).</summary>
    public DnsListOptions()
    {
        Order = 50;
        Timeout = TimeSpan.FromSeconds(5);
        OnFailure = InboundFilterFailurePolicy.Accept;
    }

    /// <summary>The block lists (DNSBLs), in order of precedence: the first listing with <see cref="DnsListAction.Reject"/> gives the reply.</summary>
    public IList<DnsListZone> BlockLists { get; } = [];

    /// <summary>The allow lists (DNSWLs); a listing on any of them outweighs every block list.</summary>
    public IList<DnsListZone> AllowLists { get; } = [];

    /// <summary>
    /// How long the verdict on a client address (listed or not) is kept; default 10 minutes, at most one day;
    /// <see cref="TimeSpan.Zero"/> asks the lists on every connection. Failed lookups are not kept.
    /// </summary>
    public TimeSpan CacheTime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The most client addresses kept; past it the oldest are dropped first. Default 100,000.</summary>
    public int CacheSize { get; set; } = 100_000;

    /// <summary>
    /// Whether a listing on an allow list skips the later filters (<see cref="InboundFilterAction.Allow"/>); default
    /// true. When false it accepts the client at this filter only (the block lists are still not applied).
    /// </summary>
    public bool AllowListSkipsOtherFilters { get; set; } = true;

    /// <summary>
    /// The text of the <c>554 5.7.1</c> refusal. Placeholders: <c>{address}</c> (the client's), <c>{zone}</c> (the
    /// list's), <c>{code}</c> and <c>{label}</c> (the answers that matched and their <see cref="DnsListZone.Codes"/>
    /// labels), <c>{reason}</c> (the list's TXT record, printable ASCII, at most 200 characters; empty when it has
    /// none) and <c>{: reason}</c> (a colon, a space and the reason, or nothing). Printable ASCII, at most 200
    /// characters. Default <see cref="DefaultReplyText"/>.
    /// </summary>
    public string ReplyText { get; set; } = DefaultReplyText;
}
