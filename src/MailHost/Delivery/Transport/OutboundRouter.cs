using System.Globalization;
using System.Net;
using MailHost.Dns;

namespace MailHost.Delivery.Transport;

/// <summary>
/// Chooses where mail for a domain goes: a static route for the domain, else the smart host if one is set, else the
/// domain's MX hosts (RFC 5321 §5.1).
/// </summary>
internal sealed class OutboundRouter(IDnsResolver dns, OutboundDeliveryOptions options)
{
    public async ValueTask<OutboundRouteResult> RouteAsync(string domain, CancellationToken cancellationToken)
    {
        // A route names one domain, so it wins over the smart host that takes everything else.
        if (options.Routes.TryGetValue(domain, out var route) && TryParseRoute(route, options.MxPort, out var routed))
        {
            return Found(new OutboundDestination("route:" + domain, [routed], OutboundTlsMode.Opportunistic, ImplicitMx: false));
        }

        if (options.SmartHost is { Host.Length: > 0 } smart)
        {
            var host = ParseHost(smart.Host, smart.Port);
            return Found(new OutboundDestination("smarthost:" + smart.Host + ":" + smart.Port.ToString(CultureInfo.InvariantCulture), [host], smart.Tls, ImplicitMx: false)
            {
                Username = smart.Username,
                Password = smart.Password,
                CertificateFingerprint = smart.CertificateFingerprint,
            });
        }

        // RFC 5321 §4.1.3: an address literal names the host itself; no MX lookup.
        if (domain.StartsWith('[') && domain.EndsWith(']'))
        {
            var literal = domain[1..^1];
            if (literal.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
            {
                literal = literal[5..];
            }

            return IPAddress.TryParse(literal, out var address)
                ? Found(new OutboundDestination("literal:" + domain, [new OutboundHost(address.ToString(), address, options.MxPort)], OutboundTlsMode.Opportunistic, ImplicitMx: false))
                : Fail(OutboundOutcome.Permanent("550 5.1.2 Bad destination address literal"));
        }

        var mx = await dns.ResolveMxAsync(domain, cancellationToken).ConfigureAwait(false);
        switch (mx.Status)
        {
            case DnsLookupStatus.TemporaryFailure:
                return Fail(OutboundOutcome.Temporary("451 4.4.3 DNS lookup of the recipient domain failed, will retry"));
            case DnsLookupStatus.NonExistentDomain:
                return Fail(OutboundOutcome.Permanent("550 5.1.2 The recipient domain does not exist"));
            case DnsLookupStatus.NoRecords:
                // RFC 5321 §5.1: without MX records the domain itself is the implicit MX, preference 0.
                return Found(new OutboundDestination("mx:" + domain, [new OutboundHost(domain, null, options.MxPort)], OutboundTlsMode.Opportunistic, ImplicitMx: true));
        }

        // RFC 7505 §3: a null MX (one record, exchange ".") says the domain accepts no mail at all.
        var records = mx.Records.Where(r => r.Exchange != ".").ToList();
        if (records.Count == 0)
        {
            return Fail(OutboundOutcome.Permanent("556 5.1.10 The recipient domain accepts no mail (null MX)"));
        }

        // RFC 5321 §5.1: lower preference first; equal preferences in random order to spread load.
        var hosts = records
            .GroupBy(r => r.Preference)
            .OrderBy(g => g.Key)
            .SelectMany(g => g.OrderBy(_ => Random.Shared.Next()))
            .Select(r => r.Exchange)
            .Distinct(StringComparer.Ordinal)
            .Select(name => new OutboundHost(name, null, options.MxPort))
            .ToList();
        return Found(new OutboundDestination("mx:" + domain, hosts, OutboundTlsMode.Opportunistic, ImplicitMx: false));
    }

    private static OutboundRouteResult Found(OutboundDestination destination) => new(destination, null);

    private static OutboundRouteResult Fail(OutboundOutcome outcome) => new(null, outcome);

    private static OutboundHost ParseHost(string host, int port)
        => IPAddress.TryParse(host.Trim('[', ']'), out var address) ? new OutboundHost(host, address, port) : new OutboundHost(host.TrimEnd('.').ToLowerInvariant(), null, port);

    /// <summary>Parses <c>host</c>, <c>host:port</c>, <c>[address]</c> or <c>[address]:port</c>.</summary>
    internal static bool TryParseRoute(string text, int defaultPort, out OutboundHost host)
    {
        host = null!;
        text = text.Trim();
        string name;
        var port = defaultPort;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            name = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0 && (!rest.StartsWith(':') || !int.TryParse(rest[1..], NumberStyles.None, CultureInfo.InvariantCulture, out port)))
            {
                return false;
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon >= 0 && text.IndexOf(':', StringComparison.Ordinal) == colon)
            {
                if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port))
                {
                    return false;
                }

                name = text[..colon];
            }
            else
            {
                name = text;
            }
        }

        if (name.Length == 0 || port is < 1 or > 65535)
        {
            return false;
        }

        host = ParseHost(name, port);
        return true;
    }
}
