namespace MailHost.Certificates.Acme;

/// <summary>How the ACME server is shown that this host controls a name (RFC 8555 §8).</summary>
public enum AcmeChallengeType
{
    /// <summary>
    /// HTTP-01 (RFC 8555 §8.3): the ACME server fetches <c>http://NAME/.well-known/acme-challenge/TOKEN</c> on port 80.
    /// The host answers on <c>MailHost:Http:Url</c>.
    /// </summary>
    Http01,

    /// <summary>
    /// TLS-ALPN-01 (RFC 8737): the ACME server opens TLS to NAME on port 443 offering the <c>acme-tls/1</c> protocol.
    /// The host answers on <c>MailHost:Http:HttpsUrl</c>.
    /// </summary>
    TlsAlpn01,

    /// <summary>
    /// DNS-01 (RFC 8555 §8.4): the ACME server looks up the TXT record <c>_acme-challenge.NAME</c>, published through
    /// an <see cref="IAcmeDnsChallenge"/> (the <c>DnsHook</c> script, or an application's own). The only type that
    /// needs no open port and the only one for wildcard names.
    /// </summary>
    Dns01,
}
