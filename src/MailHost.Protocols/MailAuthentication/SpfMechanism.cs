using System.Net;

namespace MailHost.Protocols.MailAuthentication;

/// <summary>One SPF directive (RFC 7208 §4.6.1): a qualifier and a mechanism with its arguments.</summary>
/// <param name="Qualifier">The result when the mechanism matches.</param>
/// <param name="Kind">The mechanism.</param>
public sealed record SpfMechanism(SpfQualifier Qualifier, SpfMechanismKind Kind)
{
    /// <summary>The target domain-spec of include, a, mx, ptr and exists; <see langword="null"/> means the current domain.</summary>
    public SpfMacroString? DomainSpec { get; init; }

    /// <summary>The network of ip4 and ip6.</summary>
    public IPAddress? Network { get; init; }

    /// <summary>The IPv4 prefix length of a, mx and ip4 (32 when not given).</summary>
    public int Ip4PrefixLength { get; init; } = 32;

    /// <summary>The IPv6 prefix length of a, mx and ip6 (128 when not given).</summary>
    public int Ip6PrefixLength { get; init; } = 128;

    /// <summary>Whether evaluating this mechanism counts against the limit of 10 DNS-querying terms (§4.6.4).</summary>
    public bool CausesDnsLookup => Kind is SpfMechanismKind.Include or SpfMechanismKind.A or SpfMechanismKind.Mx or SpfMechanismKind.Ptr or SpfMechanismKind.Exists;
}
