using System.Collections.Frozen;
using System.Net;

namespace MailHost.Filtering.DnsLists;

/// <summary>One configured list, checked and ready to ask: the zone in lower case and the codes as addresses.</summary>
internal sealed class ConfiguredDnsList
{
    public ConfiguredDnsList(DnsListZone zone, bool isAllowList, int position)
    {
        Zone = DnsListOptionsValidation.NormalizeZone(zone.Zone);
        Codes = zone.Codes.ToFrozenDictionary(c => ParseCode(c.Key), c => (c.Value ?? "").Trim());
        Action = zone.Action;
        IsAllowList = isAllowList;
        Position = position;
    }

    /// <summary>The zone, lower case, without a trailing dot.</summary>
    public string Zone { get; }

    /// <summary>The answers that count and their labels; empty: any answer in 127.0.0.0/8 that is not an error code.</summary>
    public FrozenDictionary<IPAddress, string> Codes { get; }

    /// <summary>What a listing does (block lists only).</summary>
    public DnsListAction Action { get; }

    /// <summary>Whether this is an allow list.</summary>
    public bool IsAllowList { get; }

    /// <summary>The list's place in the configuration (allow lists first): the earlier of two listings decides.</summary>
    public int Position { get; }

    private static IPAddress ParseCode(string text)
        => DnsListOptionsValidation.TryParseCode(text, out var code)
            ? code
            : throw new ArgumentException($"The code '{text}' is not an IPv4 address.", nameof(text));
}
