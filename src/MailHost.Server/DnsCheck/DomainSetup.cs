using MailHost.Dkim;
using MailHost.Hosting;

namespace MailHost.Server.DnsCheck;

/// <summary>What MailHost itself is configured with for the domain: what the published DNS must agree with.</summary>
/// <param name="Domain">The mail domain, canonical (lower-case A-label).</param>
/// <param name="Hostname"><c>MailHost:Hostname</c>, lower case without a trailing dot.</param>
/// <param name="DkimKey">The domain's signing key from the key store, or <see langword="null"/> when it has none.</param>
/// <param name="Endpoints">The configured endpoints (<c>MailHost:Endpoints</c>).</param>
/// <param name="Certificate">The certificate the endpoints serve.</param>
internal sealed record DomainSetup(string Domain, string Hostname, DkimKey? DkimKey, IReadOnlyList<MailEndpointDefinition> Endpoints, ServedCertificate Certificate);
