using System.Net;
using System.Net.Sockets;

namespace MailHost.Connections;

/// <summary>
/// The one rule every per-client limit uses to decide which addresses are the same client: the connection limits,
/// the pending-TLS-handshake cap, the unknown-recipient limiter and the login throttle. An IPv4 address is one
/// client by default; an IPv6 subscriber usually holds a whole /64 (RFC 6177 §2, RFC 7381 §3.3), so counting
/// single IPv6 addresses would give one host unlimited slots.
/// </summary>
internal static class ClientAddressRange
{
    /// <summary>The default IPv4 grouping: one address.</summary>
    public const int DefaultIPv4PrefixLength = 32;

    /// <summary>The default IPv6 grouping: one /64, the smallest network a subscriber is given.</summary>
    public const int DefaultIPv6PrefixLength = 64;

    /// <summary>
    /// The network <paramref name="address"/> is counted under: its first <paramref name="ipv4PrefixLength"/> or
    /// <paramref name="ipv6PrefixLength"/> bits. An IPv4-mapped IPv6 address (a dual-stack socket's <c>::ffff:a.b.c.d</c>)
    /// is the IPv4 client it stands for. Prefix lengths outside the family's range are clamped into it.
    /// </summary>
    public static IPNetwork Of(IPAddress address, int ipv4PrefixLength, int ipv6PrefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var isIPv4 = address.AddressFamily == AddressFamily.InterNetwork;
        var prefix = isIPv4 ? Math.Clamp(ipv4PrefixLength, 0, 32) : Math.Clamp(ipv6PrefixLength, 0, 128);
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        bytes = bytes[..length];
        for (var bit = prefix; bit < length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        // A new address also drops an IPv6 scope id: fe80::1%eth0 and fe80::1%eth1 are one range here.
        return new IPNetwork(new IPAddress(bytes), prefix);
    }
}
