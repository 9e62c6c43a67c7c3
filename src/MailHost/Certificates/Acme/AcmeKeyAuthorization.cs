using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace MailHost.Certificates.Acme;

/// <summary>What a challenge's answer is made of (RFC 8555 §8.1, §8.4; RFC 8737 §3).</summary>
internal static class AcmeKeyAuthorization
{
    /// <summary>The label under which DNS-01 records live (RFC 8555 §8.4).</summary>
    public const string DnsLabel = "_acme-challenge.";

    /// <summary>RFC 8555 §8.1: <c>token || '.' || base64url(JWK_Thumbprint(accountKey))</c>.</summary>
    public static string For(string token, string accountThumbprint) => token + "." + accountThumbprint;

    /// <summary>The SHA-256 of the key authorization: the DNS-01 value (encoded) and the RFC 8737 extension's content.</summary>
    public static byte[] Digest(string keyAuthorization) => SHA256.HashData(Encoding.UTF8.GetBytes(keyAuthorization));

    /// <summary>RFC 8555 §8.4: the TXT value is the base64url SHA-256 digest of the key authorization.</summary>
    public static string DnsTxtValue(string keyAuthorization) => Base64Url.EncodeToString(Digest(keyAuthorization));

    /// <summary>
    /// RFC 8555 §8.4: the record is <c>_acme-challenge.</c> before the identifier; for a wildcard identifier the
    /// authorization names the base domain (§7.1.3: <c>*.</c> is removed), which is what <paramref name="domain"/> is.
    /// </summary>
    public static string DnsRecordName(string domain) => DnsLabel + domain.TrimEnd('.');
}
