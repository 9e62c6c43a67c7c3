using System.Net;
using MailHost.Connections;

namespace MailHost.Hosting;

/// <summary>
/// How per-client limits group client addresses (configuration section <c>MailHost:Limits</c>). One range counts as
/// one client for <see cref="MailEndpointOptions.MaxConnectionsPerAddress"/>,
/// <see cref="MailEndpointOptions.MaxPendingTlsHandshakesPerAddress"/> and the SMTP unknown-recipient limit. (The login
/// throttle has its own <c>MailHost:Auth:Throttle:IPv6PrefixLength</c> and groups the same way.)
/// </summary>
public sealed class MailLimitsOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "MailHost:Limits";

    /// <summary>
    /// IPv4 clients are grouped by this prefix length. Default 32 (each address is a client): neighbouring IPv4
    /// addresses often belong to unrelated senders (hosting providers, carrier NAT pools); use 24 to count a whole /24.
    /// </summary>
    public int IPv4PrefixLength { get; set; } = ClientAddressRange.DefaultIPv4PrefixLength;

    /// <summary>
    /// IPv6 clients are grouped by this prefix length. Default 64: a subscriber holds at least a /64 and can use any
    /// address in it; use 48 or 56 where sites get whole prefixes, 128 to count single addresses.
    /// </summary>
    public int IPv6PrefixLength { get; set; } = ClientAddressRange.DefaultIPv6PrefixLength;

    /// <summary>The range <paramref name="address"/> is counted under (see <see cref="ClientAddressRange.Of"/>).</summary>
    internal IPNetwork RangeOf(IPAddress address) => ClientAddressRange.Of(address, IPv4PrefixLength, IPv6PrefixLength);

    /// <summary>Start-up check, so a typo is reported by its key instead of silently grouping everyone.</summary>
    /// <exception cref="MailHostConfigurationException">A prefix length is outside its family's range.</exception>
    internal void Validate()
    {
        if (IPv4PrefixLength is < 1 or > 32)
        {
            throw MailHostConfigurationException.For(SectionName + ":" + nameof(IPv4PrefixLength), $"'{IPv4PrefixLength}' is not an IPv4 prefix length; use 1 to 32 (32 counts each address, 24 a /24).");
        }

        if (IPv6PrefixLength is < 1 or > 128)
        {
            throw MailHostConfigurationException.For(SectionName + ":" + nameof(IPv6PrefixLength), $"'{IPv6PrefixLength}' is not an IPv6 prefix length; use 1 to 128 (64 counts a subscriber's /64, 128 each address).");
        }
    }
}
