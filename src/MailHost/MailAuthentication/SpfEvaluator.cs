using System.Net;
using System.Net.Sockets;
using MailHost.Dns;
using MailHost.Protocols.MailAuthentication;

namespace MailHost.MailAuthentication;

/// <summary>
/// SPF's check_host() (RFC 7208 §4) over <see cref="MailAuthenticationDns"/>. One instance evaluates one identity:
/// the limits of §4.6.4 (10 DNS-querying terms, void lookups) count across its includes and redirects.
/// </summary>
internal sealed class SpfEvaluator
{
    /// <summary>RFC 7208 §4.6.4: at most 10 terms that cause DNS queries.</summary>
    public const int MaxDnsTerms = 10;

    /// <summary>RFC 7208 §4.6.4: MX records per mx mechanism, and PTR names per ptr mechanism or %{p}.</summary>
    public const int MaxNamesPerMechanism = 10;

    private readonly MailAuthenticationDns _dns;
    private readonly int _voidLimit;
    private readonly IPAddress _ip;
    private readonly AddressFamily _family;
    private readonly string _sender;
    private readonly string _localPart;
    private readonly string _senderDomain;
    private readonly string _helo;
    private int _dnsTerms;
    private int _voidLookups;
    private string? _validatedDomain;

    private SpfEvaluator(MailAuthenticationDns dns, int voidLimit, IPAddress ip, string localPart, string senderDomain, string helo)
    {
        _dns = dns;
        _voidLimit = voidLimit;

        // RFC 7208 §5: an IPv4-mapped IPv6 client is an IPv4 client (A records, ip4 mechanisms).
        _ip = ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
        _family = _ip.AddressFamily;
        _localPart = localPart;
        _senderDomain = senderDomain;
        _sender = localPart + "@" + senderDomain;
        _helo = helo;
    }

    /// <summary>
    /// The MAIL FROM identity (RFC 7208 §2.4): the reverse-path's domain, or <c>postmaster@</c> the HELO domain for
    /// the null reverse-path. A missing local part is <c>postmaster</c> (§4.3).
    /// </summary>
    public static async ValueTask<SpfVerdict> CheckMailFromAsync(MailAuthenticationDns dns, int voidLimit, IPAddress? ip, string? localPart, string? domain, string? helo)
    {
        if (ip is null)
        {
            return new SpfVerdict(SpfResult.None, "mailfrom", null, null, "the client address is unknown");
        }

        var heloDomain = MailDomainName.Normalize(helo);
        if (domain is null)
        {
            // §2.4: the null reverse-path is checked as postmaster@HELO.
            return heloDomain is null
                ? new SpfVerdict(SpfResult.None, "mailfrom", null, null, "null reverse-path and no HELO domain to check")
                : await CheckAsync(dns, voidLimit, ip, "postmaster", heloDomain, heloDomain, "mailfrom").ConfigureAwait(false);
        }

        var normalized = MailDomainName.Normalize(domain);
        var local = string.IsNullOrEmpty(localPart) ? "postmaster" : localPart;
        return normalized is null
            ? new SpfVerdict(SpfResult.None, "mailfrom", null, local + "@" + domain, "the MAIL FROM domain is not a valid domain name")
            : await CheckAsync(dns, voidLimit, ip, local, normalized, heloDomain ?? helo ?? "unknown", "mailfrom").ConfigureAwait(false);
    }

    /// <summary>The HELO identity (RFC 7208 §2.3): <c>postmaster@</c> the HELO domain.</summary>
    public static async ValueTask<SpfVerdict> CheckHeloAsync(MailAuthenticationDns dns, int voidLimit, IPAddress? ip, string? helo)
    {
        var heloDomain = MailDomainName.Normalize(helo);
        return heloDomain is null || ip is null
            ? new SpfVerdict(SpfResult.None, "helo", null, null, "the HELO identity is not a domain name")
            : await CheckAsync(dns, voidLimit, ip, "postmaster", heloDomain, heloDomain, "helo").ConfigureAwait(false);
    }

    /// <summary>check_host(ip, domain, sender) for a sender already split in local part and domain.</summary>
    public static async ValueTask<SpfVerdict> CheckAsync(MailAuthenticationDns dns, int voidLimit, IPAddress ip, string localPart, string domain, string helo, string identity)
    {
        var evaluator = new SpfEvaluator(dns, voidLimit, ip, localPart, domain, helo);
        var (result, reason) = await evaluator.CheckHostAsync(domain).ConfigureAwait(false);
        if (dns.IsExhausted && result is SpfResult.TempError)
        {
            reason = "the time budget for DNS lookups ran out";
        }

        return new SpfVerdict(result, identity, domain, evaluator._sender, reason);
    }

    /// <summary>check_host() for <paramref name="domain"/> with this evaluation's client and sender (§4).</summary>
    private async ValueTask<(SpfResult Result, string Reason)> CheckHostAsync(string domain)
    {
        // §4.3: a malformed or single-label domain, or NXDOMAIN, is "none".
        var name = MailDomainName.Normalize(domain);
        if (name is null)
        {
            return (SpfResult.None, $"'{domain}' is not a valid domain name");
        }

        // §4.4: DNS errors other than NXDOMAIN are temperror.
        var txt = await _dns.TxtAsync(name).ConfigureAwait(false);
        if (txt.Status == DnsLookupStatus.TemporaryFailure)
        {
            return (SpfResult.TempError, $"DNS failure looking up the SPF record of {name}");
        }

        // §4.5: exactly one "v=spf1" record, otherwise none (zero) or permerror (several).
        var records = txt.Records.Where(SpfRecord.IsSpfRecord).ToList();
        if (records.Count == 0)
        {
            return (SpfResult.None, $"{name} publishes no SPF record");
        }

        if (records.Count > 1)
        {
            return (SpfResult.PermError, $"{name} publishes {records.Count} SPF records");
        }

        // §4.6: any syntax error anywhere is permerror, before anything is evaluated.
        if (!SpfRecord.TryParse(records[0], out var record, out var error))
        {
            return (SpfResult.PermError, $"SPF record of {name}: {error}");
        }

        var context = new SpfMacroContext(_sender, _localPart, _senderDomain, name, _ip, _helo);
        foreach (var mechanism in record!.Mechanisms)
        {
            var (matched, failure) = await MatchAsync(mechanism, name, context).ConfigureAwait(false);
            if (failure is { } stop)
            {
                return stop;
            }

            if (matched)
            {
                return (Result(mechanism.Qualifier), $"{name}: matched {Describe(mechanism)}");
            }
        }

        // §6.1: redirect applies when nothing matched, and is ignored when the record has an "all" mechanism.
        if (record.Redirect is { } redirect && !record.HasAll)
        {
            if (CountDnsTerm() is { } limit)
            {
                return limit;
            }

            var (target, failure) = await ExpandAsync(redirect, context).ConfigureAwait(false);
            if (failure is { } stop)
            {
                return stop;
            }

            var redirected = await CheckHostAsync(target!).ConfigureAwait(false);

            // §6.1: a redirect target without an SPF record (or malformed) is permerror.
            return redirected.Result == SpfResult.None
                ? (SpfResult.PermError, $"{name}: redirect to {target}, which has no SPF record")
                : redirected;
        }

        // §4.7: no match and no redirect is neutral.
        return (SpfResult.Neutral, $"{name}: no mechanism matched");
    }

    private async ValueTask<(bool Matched, (SpfResult, string)? Failure)> MatchAsync(SpfMechanism mechanism, string domain, SpfMacroContext context)
    {
        if (mechanism.CausesDnsLookup && CountDnsTerm() is { } limit)
        {
            return (false, limit);
        }

        var target = domain;
        if (mechanism.DomainSpec is { } spec)
        {
            var (expanded, failure) = await ExpandAsync(spec, context).ConfigureAwait(false);
            if (failure is not null)
            {
                return (false, failure);
            }

            target = expanded;
        }

        switch (mechanism.Kind)
        {
            case SpfMechanismKind.All:
                return (true, null);

            case SpfMechanismKind.Ip4:
            case SpfMechanismKind.Ip6:
                // §5.6: an ip4 mechanism never matches an IPv6 client and the other way round.
                var prefix = mechanism.Kind == SpfMechanismKind.Ip4 ? mechanism.Ip4PrefixLength : mechanism.Ip6PrefixLength;
                return (IpPrefix.Matches(_ip, mechanism.Network!, prefix), null);

            case SpfMechanismKind.Include:
                // §5.2: pass matches; fail, softfail and neutral do not; temperror stays; permerror and none are permerror.
                var included = await CheckHostAsync(target!).ConfigureAwait(false);
                return included.Result switch
                {
                    SpfResult.Pass => (true, null),
                    SpfResult.Fail or SpfResult.SoftFail or SpfResult.Neutral => (false, null),
                    SpfResult.TempError => (false, included),
                    SpfResult.None => (false, (SpfResult.PermError, $"include:{target} has no SPF record")),
                    _ => (false, included),
                };

            case SpfMechanismKind.A:
                return await MatchAddressesAsync(mechanism, target!).ConfigureAwait(false);

            case SpfMechanismKind.Mx:
                return await MatchMxAsync(mechanism, target!).ConfigureAwait(false);

            case SpfMechanismKind.Ptr:
                // §5.5: a validated name equal to or below the target domain matches; DNS errors just do not match.
                var validated = await ValidatedNamesAsync().ConfigureAwait(false);
                if (validated.Failure is { } ptrLimit)
                {
                    return (false, ptrLimit);
                }

                return (validated.Names.Exists(n => MailDomainName.IsSameOrSubdomain(n, target!)), null);

            case SpfMechanismKind.Exists:
                // §5.7: an A query, whatever the client's family; any answer matches.
                var exists = await _dns.AddressesAsync(target!, AddressFamily.InterNetwork).ConfigureAwait(false);
                if (exists.Status == DnsLookupStatus.TemporaryFailure)
                {
                    return (false, (SpfResult.TempError, $"DNS failure on exists:{target}"));
                }

                if (exists.Status != DnsLookupStatus.Found)
                {
                    return (false, CountVoid(target!));
                }

                return (true, null);

            default:
                throw new InvalidOperationException("Unknown SPF mechanism " + mechanism.Kind);
        }
    }

    private async ValueTask<(bool Matched, (SpfResult, string)? Failure)> MatchAddressesAsync(SpfMechanism mechanism, string host)
    {
        // §5.3: A for an IPv4 client, AAAA for an IPv6 client, compared with the CIDR length.
        var addresses = await _dns.AddressesAsync(host, _family).ConfigureAwait(false);
        if (addresses.Status == DnsLookupStatus.TemporaryFailure)
        {
            return (false, (SpfResult.TempError, $"DNS failure on a:{host}"));
        }

        if (addresses.Status != DnsLookupStatus.Found)
        {
            return (false, CountVoid(host));
        }

        return (addresses.Records.Any(a => IpPrefix.Matches(_ip, a, PrefixLength(mechanism))), null);
    }

    private async ValueTask<(bool Matched, (SpfResult, string)? Failure)> MatchMxAsync(SpfMechanism mechanism, string target)
    {
        // §5.4: the MX hosts' A or AAAA records; no implicit MX when the domain has none.
        var mx = await _dns.MxAsync(target).ConfigureAwait(false);
        if (mx.Status == DnsLookupStatus.TemporaryFailure)
        {
            return (false, (SpfResult.TempError, $"DNS failure on mx:{target}"));
        }

        if (mx.Status != DnsLookupStatus.Found)
        {
            return (false, CountVoid(target));
        }

        // §4.6.4: more than 10 MX records make the mechanism a permerror.
        if (mx.Records.Count > MaxNamesPerMechanism)
        {
            return (false, (SpfResult.PermError, $"mx:{target} has more than {MaxNamesPerMechanism} MX records"));
        }

        foreach (var exchange in mx.Records.OrderBy(r => r.Preference))
        {
            if (exchange.Exchange == ".")
            {
                // RFC 7505: a null MX names no host.
                continue;
            }

            var addresses = await _dns.AddressesAsync(exchange.Exchange, _family).ConfigureAwait(false);
            if (addresses.Status == DnsLookupStatus.TemporaryFailure)
            {
                return (false, (SpfResult.TempError, $"DNS failure on the addresses of MX host {exchange.Exchange}"));
            }

            if (addresses.Records.Any(a => IpPrefix.Matches(_ip, a, PrefixLength(mechanism))))
            {
                return (true, null);
            }
        }

        return (false, null);
    }

    /// <summary>
    /// The client's validated names (§5.5): PTR names (the first 10) whose A or AAAA records include the client.
    /// DNS errors leave a name out rather than failing.
    /// </summary>
    private async ValueTask<(List<string> Names, (SpfResult, string)? Failure)> ValidatedNamesAsync()
    {
        var names = new List<string>();
        var ptr = await _dns.PtrAsync(_ip).ConfigureAwait(false);
        if (ptr.Status is DnsLookupStatus.NoRecords or DnsLookupStatus.NonExistentDomain)
        {
            return (names, CountVoid("the reverse name of " + _ip));
        }

        foreach (var name in ptr.Records.Take(MaxNamesPerMechanism))
        {
            var addresses = await _dns.AddressesAsync(name, _family).ConfigureAwait(false);
            if (addresses.Status == DnsLookupStatus.Found && addresses.Records.Any(a => a.Equals(_ip)))
            {
                names.Add(name.TrimEnd('.').ToLowerInvariant());
            }
        }

        return (names, null);
    }

    /// <summary>Expands a domain-spec (§7.3), computing %{p} first when it is used; truncated to 253 characters.</summary>
    private async ValueTask<(string? Name, (SpfResult, string)? Failure)> ExpandAsync(SpfMacroString spec, SpfMacroContext context)
    {
        if (spec.Uses('p') && _validatedDomain is null)
        {
            // §4.6.4: the PTR lookup of %{p} counts against the limit like the ptr mechanism.
            if (CountDnsTerm() is { } limit)
            {
                return (null, limit);
            }

            var (names, failure) = await ValidatedNamesAsync().ConfigureAwait(false);
            if (failure is not null)
            {
                return (null, failure);
            }

            // §7.3: prefer the domain itself, then a subdomain of it, then any validated name.
            _validatedDomain = names.Find(n => n.Equals(context.Domain, StringComparison.OrdinalIgnoreCase))
                ?? names.Find(n => MailDomainName.IsSameOrSubdomain(n, context.Domain))
                ?? names.FirstOrDefault()
                ?? "unknown";
        }

        var expanded = spec.Expand(context with { ValidatedDomain = _validatedDomain ?? "unknown" });
        return (MailDomainName.TruncateLeft(expanded), null);
    }

    private (SpfResult, string)? CountDnsTerm()
        => ++_dnsTerms > MaxDnsTerms
            ? (SpfResult.PermError, $"more than {MaxDnsTerms} DNS-querying terms (RFC 7208 §4.6.4)")
            : null;

    private (SpfResult, string)? CountVoid(string name)
        => ++_voidLookups > _voidLimit
            ? (SpfResult.PermError, $"more than {_voidLimit} void DNS lookups, the last for {name} (RFC 7208 §4.6.4)")
            : null;

    private int PrefixLength(SpfMechanism mechanism) => _family == AddressFamily.InterNetworkV6 ? mechanism.Ip6PrefixLength : mechanism.Ip4PrefixLength;

    private static SpfResult Result(SpfQualifier qualifier) => qualifier switch
    {
        SpfQualifier.Fail => SpfResult.Fail,
        SpfQualifier.SoftFail => SpfResult.SoftFail,
        SpfQualifier.Neutral => SpfResult.Neutral,
        _ => SpfResult.Pass,
    };

    private static string Describe(SpfMechanism mechanism)
    {
        var qualifier = mechanism.Qualifier switch
        {
            SpfQualifier.Fail => "-",
            SpfQualifier.SoftFail => "~",
            SpfQualifier.Neutral => "?",
            _ => "",
        };
        var name = mechanism.Kind.ToString().ToLowerInvariant();
        return mechanism.DomainSpec is { } spec ? $"{qualifier}{name}:{spec}"
            : mechanism.Network is { } network ? $"{qualifier}{name}:{network}"
            : qualifier + name;
    }
}
