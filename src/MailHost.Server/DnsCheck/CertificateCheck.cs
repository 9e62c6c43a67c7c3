using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace MailHost.Server.DnsCheck;

/// <summary>
/// The certificate the endpoints serve: clients check that it names the Hostname in its subject alternative names
/// (RFC 6125 §6.4.4: the common name is not consulted when SANs exist), that a trusted authority issued it, and
/// that it has not expired.
/// </summary>
internal sealed class CertificateCheck : IDomainCheck
{
    private const string Name = "TLS cert";

    /// <summary>Renewal should have happened by then; ACME clients renew at 30 days.</summary>
    private static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(14);

    public ValueTask<IReadOnlyList<DomainCheckResult>> RunAsync(DomainCheckContext context, CancellationToken cancellationToken)
        => ValueTask.FromResult(Check(context));

    private static IReadOnlyList<DomainCheckResult> Check(DomainCheckContext context)
    {
        var served = context.Setup.Certificate;
        if (served.Problem is not null)
        {
            return [DomainCheckResult.Fail(Name, served.Problem + "; the server does not start with it")];
        }

        if (served.Certificate is not { } certificate)
        {
            return [DomainCheckResult.Warn(
                Name,
                $"self-signed: no MailHost:Certificate is configured, so the host serves a generated certificate for {context.Hostname} that clients do not trust; configure a certificate from a public authority")];
        }

        return [Names(certificate, context.Hostname), Issuer(certificate), Validity(certificate, context.Time.GetUtcNow())];
    }

    private static DomainCheckResult Names(X509Certificate2 certificate, string hostname)
    {
        if (certificate.MatchesHostname(hostname, allowWildcards: true, allowCommonName: false))
        {
            return DomainCheckResult.Ok(Name, $"covers {hostname} (subject alternative name)");
        }

        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToList();
        var found = names.Count == 0 ? "has no DNS subject alternative names" : "names only " + string.Join(", ", names);
        return DomainCheckResult.Fail(Name, $"does not cover {hostname}: it {found}; clients refuse the connection");
    }

    private static DomainCheckResult Issuer(X509Certificate2 certificate)
        => certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData)
            ? DomainCheckResult.Warn(Name, $"self-signed ({certificate.Subject}); clients do not trust it")
            : DomainCheckResult.Ok(Name, $"issued by {certificate.Issuer}");

    private static DomainCheckResult Validity(X509Certificate2 certificate, DateTimeOffset now)
    {
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var until = notAfter.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (now >= notAfter)
        {
            return DomainCheckResult.Fail(Name, $"expired on {until}; clients refuse the connection");
        }

        if (now < notBefore)
        {
            return DomainCheckResult.Fail(Name, $"not valid before {notBefore.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}Z; clients refuse the connection");
        }

        var days = (int)(notAfter - now).TotalDays;
        var remaining = string.Create(CultureInfo.InvariantCulture, $"expires on {until} (in {days} days)");
        return notAfter - now <= ExpiryWarning
            ? DomainCheckResult.Warn(Name, remaining + "; renew it now")
            : DomainCheckResult.Ok(Name, remaining);
    }
}
