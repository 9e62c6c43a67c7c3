using System.Diagnostics.CodeAnalysis;

namespace MailHost.Protocols.MailAuthentication;

/// <summary>The SPF mechanisms (RFC 7208 §5).</summary>
public enum SpfMechanismKind
{
    /// <summary><c>all</c> (§5.1): always matches.</summary>
    All = 0,

    /// <summary><c>include:domain-spec</c> (§5.2): matches when the other domain's check passes.</summary>
    Include = 1,

    /// <summary><c>a[:domain-spec][cidr]</c> (§5.3).</summary>
    A = 2,

    /// <summary><c>mx[:domain-spec][cidr]</c> (§5.4).</summary>
    Mx = 3,

    /// <summary><c>ptr[:domain-spec]</c> (§5.5, "do not use").</summary>
    [SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The mechanism's name in RFC 7208.")]
    Ptr = 4,

    /// <summary><c>ip4:network[/len]</c> (§5.6).</summary>
    Ip4 = 5,

    /// <summary><c>ip6:network[/len]</c> (§5.6).</summary>
    Ip6 = 6,

    /// <summary><c>exists:domain-spec</c> (§5.7).</summary>
    Exists = 7,
}
