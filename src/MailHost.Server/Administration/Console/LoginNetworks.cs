using System.Globalization;
using System.Net;
using MailHost.Accounts;

namespace MailHost.Server.Administration.Console;

/// <summary>
/// Groups login addresses by network for a mailbox user's own page: IPv4 by /24 and IPv6 by /48, the blocks a
/// provider usually hands out together, so that logins from one home line or office share a row and a burst from a
/// cloud provider's range stands out as a network of its own.
/// </summary>
internal static class LoginNetworks
{
    /// <summary>One network the account's logins came from.</summary>
    internal sealed record Network(string Prefix, int Logins, int Failed, DateTimeOffset LastSeen, IReadOnlyList<string> Protocols);

    /// <summary>The network of <paramref name="address"/> in CIDR notation (<c>203.0.113.0/24</c>, <c>2001:db8:1::/48</c>).</summary>
    public static string PrefixOf(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; they belong to the IPv4 network.
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        var (keep, bits) = bytes.Length == 4 ? (3, 24) : (6, 48);
        Array.Clear(bytes, keep, bytes.Length - keep);
        return new IPAddress(bytes).ToString() + "/" + bits.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The networks of <paramref name="logins"/>, most logins first; logins without an address are left out.</summary>
    public static IReadOnlyList<Network> Summarize(IEnumerable<LoginRecord> logins) => logins
        .Where(login => login.RemoteEndPoint is not null)
        .GroupBy(login => PrefixOf(login.RemoteEndPoint!.Address), StringComparer.Ordinal)
        .Select(group => new Network(
            group.Key,
            group.Count(),
            group.Count(login => login.Outcome != LoginOutcome.Succeeded),
            group.Max(login => login.Timestamp),
            group.Select(login => login.Protocol).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList()))
        .OrderByDescending(network => network.Logins)
        .ThenByDescending(network => network.LastSeen)
        .ToList();
}
