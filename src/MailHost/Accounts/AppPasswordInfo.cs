using System.Net;

namespace MailHost.Accounts;

/// <summary>An app password as the directory keeps it: everything but its secret, of which only a PBKDF2 record is stored.</summary>
/// <param name="Id">Its public identifier, 8 lowercase hexadecimal characters: shown in lists and used to revoke it; not secret.</param>
/// <param name="Name">The device or program it is for (1 to 64 printable characters).</param>
/// <param name="Protocols">The protocols it may log in with.</param>
/// <param name="Networks">The client networks it may log in from; empty for any.</param>
/// <param name="Expires">When it stops working; <see langword="null"/> for never.</param>
/// <param name="Created">When it was created.</param>
/// <param name="LastUse">Its most recent recorded login; <see langword="null"/> when it was never used.</param>
public sealed record AppPasswordInfo(
    string Id,
    string Name,
    AppPasswordProtocols Protocols,
    IReadOnlyList<IPNetwork> Networks,
    DateTimeOffset? Expires,
    DateTimeOffset Created,
    AppPasswordUse? LastUse)
{
    /// <summary>Whether it may log in over <paramref name="protocol"/> ("IMAP", "POP3" or "SMTP"; anything else never).</summary>
    public bool AllowsProtocol(string protocol)
    {
        var flag = AppPasswordFormat.ProtocolOf(protocol);
        return flag != AppPasswordProtocols.None && (Protocols & flag) == flag;
    }

    /// <summary>
    /// Whether a client at <paramref name="address"/> may log in with it: always when it has no networks, otherwise only
    /// from inside one of them. An IPv4 client on a dual-stack socket (<c>::ffff:192.0.2.1</c>) matches IPv4 networks;
    /// an unknown address matches none.
    /// </summary>
    public bool AllowsAddress(IPAddress? address)
    {
        if (Networks.Count == 0)
        {
            return true;
        }

        if (address is null)
        {
            return false;
        }

        var mapped = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : null;
        foreach (var network in Networks)
        {
            if (network.Contains(address) || (mapped is not null && network.Contains(mapped)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether it has expired at <paramref name="now"/> (its expiry is the first moment it no longer works).</summary>
    public bool IsExpiredAt(DateTimeOffset now) => Expires is { } expires && now >= expires;
}
