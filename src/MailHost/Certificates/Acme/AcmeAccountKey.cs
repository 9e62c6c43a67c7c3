using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace MailHost.Certificates.Acme;

/// <summary>
/// The ACME account's key: ECDSA P-256, signing with ES256 (RFC 7518 §3.4), which every ACME server accepts and whose
/// public key fits in one short JWK. Knows its JSON Web Key and the RFC 7638 thumbprint that key authorizations carry.
/// </summary>
internal sealed class AcmeAccountKey : IDisposable
{
    private readonly ECDsa _key;

    private AcmeAccountKey(ECDsa key)
    {
        _key = key;
        var parameters = key.ExportParameters(includePrivateParameters: false);

        // RFC 7638 §3.2–3.3: the thumbprint hashes the required members only, in lexicographic order, without
        // whitespace. The same text serves as the "jwk" header (RFC 8555 §6.2), where order does not matter.
        JsonWebKey = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + Base64Url.EncodeToString(parameters.Q.X)
            + "\",\"y\":\"" + Base64Url.EncodeToString(parameters.Q.Y) + "\"}";
        Thumbprint = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonWebKey)));
    }

    /// <summary>The JWS algorithm name (RFC 7518 §3.1).</summary>
    public const string Algorithm = "ES256";

    /// <summary>The public key as a JSON Web Key (RFC 7517), in the canonical form of RFC 7638 §3.</summary>
    public string JsonWebKey { get; }

    /// <summary>The base64url SHA-256 JWK thumbprint (RFC 7638 §3), the second half of every key authorization.</summary>
    public string Thumbprint { get; }

    public static AcmeAccountKey Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Reads a PKCS#8 PEM key written by <see cref="ExportPem"/>.</summary>
    /// <exception cref="CryptographicException">Not a P-256 key.</exception>
    public static AcmeAccountKey FromPem(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.KeySize != 256)
            {
                throw new CryptographicException($"The account key is a {key.KeySize}-bit key, not P-256.");
            }

            return new AcmeAccountKey(key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public string ExportPem() => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>An ES256 signature: R and S as two 32-byte big-endian numbers (RFC 7518 §3.4), not DER.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) =>
        _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>Checks a signature made by <see cref="Sign"/> (for tests and self-checks).</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        _key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public void Dispose() => _key.Dispose();
}
