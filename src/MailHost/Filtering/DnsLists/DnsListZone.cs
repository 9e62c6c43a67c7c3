namespace MailHost.Filtering.DnsLists;

/// <summary>
/// One DNS list (RFC 5782): the zone asked about the client's address, which of its answers count as a listing, and
/// (for a block list) what a listing does.
/// </summary>
public sealed class DnsListZone
{
    /// <summary>
    /// The list's zone, for example <c>zen.spamhaus.org</c> or <c>list.dnswl.org</c>. The query is the client's address,
    /// reversed, in front of it (RFC 5782 §2.1 for IPv4, §2.4 for IPv6). Required.
    /// </summary>
    public string Zone { get; set; } = "";

    /// <summary>
    /// The answers that count as a listing, each an address in 127.0.0.0/8 with a label for the log and the reply
    /// (<c>"127.0.0.2": "SBL"</c>); an answer not named here is not a listing. Empty (the default): every answer in
    /// 127.0.0.0/8 counts. Either way 127.0.0.1 and 127.255.255.0/24 never count: lists answer them to refuse a query
    /// (a public resolver, too many queries), so they are logged as errors and cannot be configured here.
    /// </summary>
    public Dictionary<string, string> Codes { get; } = new(StringComparer.Ordinal);

    /// <summary>For a block list, what a listing does; default <see cref="DnsListAction.Reject"/>. Ignored for allow lists.</summary>
    public DnsListAction Action { get; set; } = DnsListAction.Reject;
}
