using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailHost.Filtering.DnsLists;

/// <summary>Builds the names a DNS list is asked (RFC 5782 §2.1, §2.4).</summary>
internal static class DnsListQueryName
{
    /// <summary>
    /// The address as lists key it: IPv4-mapped IPv6 addresses (<c>::ffff:192.0.2.1</c>, a dual-stack socket's view
    /// of an IPv4 client) become IPv4, and an IPv6 scope id is dropped (it is not part of the address on the wire).
    /// </summary>
    public static IPAddress Normalize(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0
            ? new IPAddress(address.GetAddressBytes())
            : address;
    }

    /// <summary>
    /// The part of the query name in front of the zone: for IPv4 the four octets in reverse order
    /// (<c>192.0.2.99</c> is <c>99.2.0.192</c>, RFC 5782 §2.1); for IPv6 the 32 nibbles in reverse order, as in
    /// <c>ip6.arpa</c> (RFC 5782 §2.4). <paramref name="address"/> must be normalised first.
    /// </summary>
    public static string ReversedAddress(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var length))
        {
            throw new ArgumentException($"The address {address} has more than 16 octets.", nameof(address));
        }

        if (length == 4)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{bytes[3]}.{bytes[2]}.{bytes[1]}.{bytes[0]}");
        }

        // RFC 5782 §2.4: "the address is reversed nibble by nibble", lower-case hexadecimal digits, 64 characters.
        var name = new StringBuilder(64);
        for (var i = length - 1; i >= 0; i--)
        {
            name.Append(HexDigit(bytes[i] & 0xF)).Append('.').Append(HexDigit(bytes[i] >> 4)).Append('.');
        }

        return name.ToString(0, name.Length - 1);
    }

    /// <summary>The query name of <paramref name="reversedAddress"/> in <paramref name="zone"/>.</summary>
    public static string For(string reversedAddress, string zone) => reversedAddress + "." + zone;

    private static char HexDigit(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + (nibble - 10));
}
