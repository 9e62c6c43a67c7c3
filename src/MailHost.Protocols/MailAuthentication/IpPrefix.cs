using System.Net;

namespace MailHost.Protocols.MailAuthentication;

/// <summary>CIDR prefix comparison of IP addresses (RFC 4632 §3.1, RFC 4291 §2.3), as SPF's ip4, ip6, a and mx use it (RFC 7208 §5.6).</summary>
public static class IpPrefix
{
    /// <summary>
    /// Whether the first <paramref name="prefixLength"/> bits of <paramref name="address"/> and <paramref name="network"/>
    /// agree. Addresses of different families never match; bits of the network past the prefix are ignored.
    /// </summary>
    public static bool Matches(IPAddress address, IPAddress network, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(network);
        if (address.AddressFamily != network.AddressFamily)
        {
            return false;
        }

        Span<byte> a = stackalloc byte[16];
        Span<byte> n = stackalloc byte[16];
        if (!address.TryWriteBytes(a, out var length) || !network.TryWriteBytes(n, out _))
        {
            return false;
        }

        var bits = Math.Clamp(prefixLength, 0, length * 8);
        var whole = bits / 8;
        if (!a[..whole].SequenceEqual(n[..whole]))
        {
            return false;
        }

        var rest = bits % 8;
        if (rest == 0)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - rest));
        return (a[whole] & mask) == (n[whole] & mask);
    }
}
