using System.Net;

namespace MailHost.Protocols.MailAuthentication;

/// <summary>The values SPF macros expand to (RFC 7208 §7.3) for one check_host() evaluation.</summary>
/// <param name="Sender">The <c>&lt;sender&gt;</c> (<c>%{s}</c>): <c>local-part@domain</c>, <c>postmaster</c> for a missing local part.</param>
/// <param name="LocalPart">The local part of the sender (<c>%{l}</c>).</param>
/// <param name="SenderDomain">The domain of the sender (<c>%{o}</c>).</param>
/// <param name="Domain">The current <c>&lt;domain&gt;</c> (<c>%{d}</c>), which changes with include and redirect.</param>
/// <param name="ClientAddress">The SMTP client's address (<c>%{i}</c>, <c>%{c}</c>, <c>%{v}</c>); IPv4-mapped IPv6 should already be IPv4.</param>
/// <param name="HeloDomain">The HELO/EHLO identity (<c>%{h}</c>).</param>
public sealed record SpfMacroContext(string Sender, string LocalPart, string SenderDomain, string Domain, IPAddress ClientAddress, string HeloDomain)
{
    /// <summary>The validated domain name of the client (<c>%{p}</c>, §7.3); <c>unknown</c> when there is none.</summary>
    public string ValidatedDomain { get; init; } = "unknown";

    /// <summary>The host performing the check (<c>%{r}</c>, explanations only).</summary>
    public string ReceivingHost { get; init; } = "unknown";

    /// <summary>The current time (<c>%{t}</c>, explanations only).</summary>
    public DateTimeOffset Timestamp { get; init; }
}
