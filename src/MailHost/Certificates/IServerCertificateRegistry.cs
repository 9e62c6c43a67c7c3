using System.Security.Cryptography.X509Certificates;

namespace MailHost.Certificates;

/// <summary>
/// The certificates every TLS endpoint without a certificate of its own chooses from by the server name a client asks
/// for (SNI, RFC 6066 §3). The host fills it from <c>MailHost:Certificate</c> and <c>MailHost:Certificates</c>; anything
/// else that obtains certificates (an ACME client, an application's own store) adds or replaces them here by name.
/// </summary>
/// <remarks>
/// A certificate serves the DNS names of its subject alternative names (a wildcard <c>*.example.com</c> matches one
/// label, RFC 6125 §6.4.3). A client is given the certificate whose name equals the one it sent, else one whose
/// wildcard matches it, else the default: the certificate named <see cref="DefaultName"/>, or without one the first by
/// name. A change applies from the next handshake; connections already open keep the certificate they were given.
/// </remarks>
public interface IServerCertificateRegistry
{
    /// <summary>The name of the default certificate (<c>MailHost:Certificate</c>, or the generated self-signed one).</summary>
    const string DefaultName = "default";

    /// <summary>Adds the certificate called <paramref name="name"/>, or replaces the one of that name.</summary>
    /// <param name="name">Who owns the certificate, e.g. <c>acme:mail.example.com</c>; it tags logs and metrics.</param>
    /// <param name="certificate">The server certificate with its private key.</param>
    /// <param name="intermediates">The chain to send after it (not the root); null when there is none.</param>
    /// <exception cref="ArgumentException">The certificate has no private key or has expired.</exception>
    void SetCertificate(string name, X509Certificate2 certificate, X509Certificate2Collection? intermediates = null);

    /// <summary>Removes the certificate called <paramref name="name"/>; false when there was none.</summary>
    bool RemoveCertificate(string name);

    /// <summary>The certificate a client asking for <paramref name="serverName"/> (null: no SNI) gets now; null when there is none.</summary>
    X509Certificate2? SelectCertificate(string? serverName);
}
