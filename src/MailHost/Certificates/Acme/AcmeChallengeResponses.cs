using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;

namespace MailHost.Certificates.Acme;

/// <summary>
/// The answers to the ACME challenges in progress, for the HTTP endpoint that serves them: the key authorization of
/// each pending HTTP-01 token (RFC 8555 §8.3) and the validation certificate of each name with a pending TLS-ALPN-01
/// challenge (RFC 8737 §3). The ACME client adds an answer just before it asks the server to validate, and removes
/// it once the authorization is decided. The host serves both on <c>MailHost:Http</c>; an application with an HTTP
/// endpoint of its own answers from here too.
/// </summary>
public sealed class AcmeChallengeResponses
{
    /// <summary>The ALPN protocol of TLS-ALPN-01 (RFC 8737 §6.2).</summary>
    public const string TlsAlpn01Protocol = "acme-tls/1";

    /// <summary>The path prefix of HTTP-01 (RFC 8555 §8.3); the token follows it.</summary>
    public const string Http01PathPrefix = "/.well-known/acme-challenge/";

    private readonly ConcurrentDictionary<string, string> _http01 = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, X509Certificate2> _tlsAlpn01 = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether any TLS-ALPN-01 challenge is pending: when none is, TLS handshakes need not look for one.</summary>
    public bool HasPendingTlsAlpn01 => !_tlsAlpn01.IsEmpty;

    /// <summary>
    /// The body to answer <c>GET /.well-known/acme-challenge/<paramref name="token"/></c> with (the key authorization,
    /// RFC 8555 §8.3), or null when no such challenge is pending (answer 404).
    /// </summary>
    public string? FindHttp01KeyAuthorization(string token) =>
        token is not null && _http01.TryGetValue(token, out var keyAuthorization) ? keyAuthorization : null;

    /// <summary>
    /// The certificate to present to a TLS client that offers only <see cref="TlsAlpn01Protocol"/> and asks for
    /// <paramref name="serverName"/> (RFC 8737 §3), or null when no TLS-ALPN-01 challenge is pending for that name.
    /// Present it with <see cref="TlsAlpn01Protocol"/> as the negotiated protocol and close the connection after the
    /// handshake.
    /// </summary>
    public X509Certificate2? FindTlsAlpn01Certificate(string? serverName) =>
        CertificateNames.Normalize(serverName) is { } name && _tlsAlpn01.TryGetValue(name, out var certificate) ? certificate : null;

    internal void AddHttp01(string token, string keyAuthorization) => _http01[token] = keyAuthorization;

    internal void RemoveHttp01(string token) => _http01.TryRemove(token, out _);

    internal void AddTlsAlpn01(string name, X509Certificate2 certificate) => _tlsAlpn01[CertificateNames.Normalize(name)!] = certificate;

    // The certificate is not disposed: a handshake may have taken it a moment ago.
    internal void RemoveTlsAlpn01(string name) => _tlsAlpn01.TryRemove(CertificateNames.Normalize(name)!, out _);
}
