using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using MailHost.Accounts;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace MailHost.Dkim;

/// <summary>Creates DKIM keys and derives the DNS records that publish their public halves.</summary>
public static class DkimKeys
{
    /// <summary>The RSA key size created: RFC 8301 §3.2 asks signers for at least 1024 bits and recommends 2048.</summary>
    public const int RsaKeySize = 2048;

    private const string PemLabel = "PRIVATE KEY";
    private const int MaxLabelLength = 63;

    /// <summary>
    /// Makes a new key pair for <paramref name="domain"/> with the given selector and algorithm (one of
    /// <see cref="DkimAlgorithms"/>): RSA 2048 or Ed25519, private key stored as PKCS #8 PEM.
    /// </summary>
    /// <exception cref="ArgumentException">The domain or selector is not valid, or the algorithm is not known.</exception>
    public static DkimKey Create(string domain, string selector, string algorithm, DateTimeOffset created)
    {
        var canonical = MailAddressCanonicalizer.CanonicalizeDomain(domain) ?? throw new ArgumentException("Not a valid domain.", nameof(domain));
        if (!IsValidSelector(selector))
        {
            throw new ArgumentException("Not a valid DKIM selector (RFC 6376 §3.1).", nameof(selector));
        }

        byte[] pkcs8;
        switch (algorithm)
        {
            case DkimAlgorithms.RsaSha256:
                using (var rsa = RSA.Create(RsaKeySize))
                {
                    pkcs8 = rsa.ExportPkcs8PrivateKey();
                }

                break;

            case DkimAlgorithms.Ed25519Sha256:
                // RFC 8032 §5.1.5: the private key is 32 random bytes; the OS generator supplies them.
                var seed = RandomNumberGenerator.GetBytes(Ed25519PrivateKeyParameters.KeySize);
                try
                {
                    pkcs8 = PrivateKeyInfoFactory.CreatePrivateKeyInfo(new Ed25519PrivateKeyParameters(seed)).GetEncoded();
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(seed);
                }

                break;

            default:
                throw new ArgumentException("Unknown DKIM algorithm; use one of DkimAlgorithms.", nameof(algorithm));
        }

        try
        {
            return new DkimKey(canonical, selector.ToLowerInvariant(), algorithm, PemEncoding.WriteString(PemLabel, pkcs8), created);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// <summary>
    /// Whether <paramref name="selector"/> is a valid selector: dot-separated labels of letters, digits and inner
    /// hyphens (RFC 6376 §3.1, the <c>sub-domain</c> rule of RFC 5321), each at most 63 characters.
    /// </summary>
    public static bool IsValidSelector([NotNullWhen(true)] string? selector)
    {
        if (string.IsNullOrEmpty(selector) || selector.Length > 200)
        {
            return false;
        }

        foreach (var label in selector.Split('.'))
        {
            if (label.Length is 0 or > MaxLabelLength || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The DNS name that publishes the key's public half: <c>&lt;selector&gt;._domainkey.&lt;domain&gt;</c> (RFC 6376 §3.6.2.1).</summary>
    public static string RecordName(DkimKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Selector + "._domainkey." + key.Domain;
    }

    /// <summary>
    /// The TXT record text that publishes the key's public half (RFC 6376 §3.6.1): <c>v=DKIM1; k=rsa; p=</c> and the
    /// base64 SubjectPublicKeyInfo for RSA, or <c>v=DKIM1; k=ed25519; p=</c> and the base64 of the raw 32-byte public
    /// key for Ed25519 (RFC 8463 §4.2). False, with the reason, when the algorithm is unknown or the key material is
    /// unusable.
    /// </summary>
    public static bool TryGetDnsRecord(DkimKey key, [NotNullWhen(true)] out string? record, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(key);
        record = null;
        if (TryLoad(key, out var loadProblem) is not { } loaded)
        {
            problem = loadProblem ?? "the key cannot be read";
            return false;
        }

        problem = null;

        switch (loaded.PrivateKey)
        {
            case RsaPrivateCrtKeyParameters rsa:
                var info = SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(new RsaKeyParameters(false, rsa.Modulus, rsa.PublicExponent));
                record = "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(info.GetEncoded());
                return true;

            case Ed25519PrivateKeyParameters ed25519:
                record = "v=DKIM1; k=ed25519; p=" + Convert.ToBase64String(ed25519.GeneratePublicKey().GetEncoded());
                return true;

            default:
                problem = "the key has no public half that can be published";
                return false;
        }
    }

    /// <summary>
    /// Checks a key before a store saves it, giving it canonical form: the domain canonicalized, the selector valid
    /// and lower-cased. Key material and algorithm are left as they are.
    /// </summary>
    public static bool TryNormalize(DkimKey key, [NotNullWhen(true)] out DkimKey? normalized, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(key);
        normalized = null;
        if (MailAddressCanonicalizer.CanonicalizeDomain(key.Domain) is not { } domain)
        {
            problem = "The DKIM key's domain is not a valid domain.";
            return false;
        }

        if (!IsValidSelector(key.Selector))
        {
            problem = "The DKIM key's selector is not valid (RFC 6376 §3.1: letters, digits and inner hyphens in dot-separated labels).";
            return false;
        }

        if (string.IsNullOrEmpty(key.Algorithm) || string.IsNullOrEmpty(key.PrivateKeyPem))
        {
            problem = "The DKIM key has no algorithm or no private key.";
            return false;
        }

        problem = null;
        normalized = key with { Domain = domain, Selector = key.Selector.ToLowerInvariant() };
        return true;
    }

    /// <summary>Parses the key for signing; <see langword="null"/>, with the reason, when it cannot sign.</summary>
    internal static DkimSigningKey? TryLoad(DkimKey key, out string? problem)
    {
        DkimSignatureAlgorithm algorithm;
        switch (key.Algorithm)
        {
            case DkimAlgorithms.RsaSha256:
                algorithm = DkimSignatureAlgorithm.RsaSha256;
                break;
            case DkimAlgorithms.Ed25519Sha256:
                algorithm = DkimSignatureAlgorithm.Ed25519Sha256;
                break;
            default:
                problem = "unknown algorithm '" + key.Algorithm + "'";
                return null;
        }

        if (!IsValidSelector(key.Selector) || MailAddressCanonicalizer.CanonicalizeDomain(key.Domain) != key.Domain)
        {
            problem = "the domain or selector is not valid";
            return null;
        }

        AsymmetricKeyParameter privateKey;
        try
        {
            var pem = key.PrivateKeyPem.AsSpan();
            if (!PemEncoding.TryFind(pem, out var fields) || !pem[fields.Label].SequenceEqual(PemLabel))
            {
                problem = "the private key is not PKCS #8 PEM";
                return null;
            }

            privateKey = PrivateKeyFactory.CreateKey(Convert.FromBase64String(pem[fields.Base64Data].ToString()));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidCastException or InvalidOperationException or IOException or SecurityUtilityException)
        {
            problem = "the private key cannot be read (" + ex.GetType().Name + ")";
            return null;
        }

        var fits = algorithm switch
        {
            // RFC 8301 §3.2: keys below 1024 bits must not be used.
            DkimSignatureAlgorithm.RsaSha256 => privateKey is RsaPrivateCrtKeyParameters { Modulus.BitLength: >= 1024 },
            _ => privateKey is Ed25519PrivateKeyParameters,
        };
        if (!fits)
        {
            problem = "the private key does not fit the algorithm " + key.Algorithm;
            return null;
        }

        problem = null;
        return new DkimSigningKey(key.Domain, key.Selector, algorithm, privateKey);
    }
}
