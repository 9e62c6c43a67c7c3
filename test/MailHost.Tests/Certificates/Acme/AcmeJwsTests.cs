using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailHost.Certificates.Acme;

namespace MailHost.Tests.Certificates.Acme;

/// <summary>The signed requests of RFC 8555 §6.2 and the account key's JWK and thumbprint (RFC 7517, RFC 7638).</summary>
public sealed class AcmeJwsTests
{
    [Fact]
    public void The_JWK_is_the_canonical_RFC_7638_form_and_the_thumbprint_hashes_it()
    {
        using var key = AcmeAccountKey.Create();
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(key.ExportPem());
        var point = ecdsa.ExportParameters(includePrivateParameters: false).Q;

        // RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace.
        key.JsonWebKey.Should().Be($"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{Base64Url.EncodeToString(point.X)}\",\"y\":\"{Base64Url.EncodeToString(point.Y)}\"}}");
        key.Thumbprint.Should().Be(Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(key.JsonWebKey))));
        key.Thumbprint.Should().HaveLength(43, "32 bytes in base64url without padding");
    }

    [Fact]
    public void A_newAccount_request_carries_the_jwk_and_its_signature_verifies_with_the_public_key()
    {
        using var key = AcmeAccountKey.Create();

        var body = Parse(AcmeJws.Sign(key, "https://acme.test/new-account", "nonce-1", keyId: null, "{\"termsOfServiceAgreed\":true}"u8, postAsGet: false));

        var header = Decode(body.GetProperty("protected").GetString()!);
        header.GetProperty("alg").GetString().Should().Be("ES256");
        header.GetProperty("nonce").GetString().Should().Be("nonce-1");
        header.GetProperty("url").GetString().Should().Be("https://acme.test/new-account");
        header.GetProperty("jwk").GetProperty("x").GetString().Should().NotBeNullOrEmpty();
        header.TryGetProperty("kid", out _).Should().BeFalse("jwk and kid are mutually exclusive (RFC 8555 §6.2)");
        Encoding.UTF8.GetString(Base64Url.DecodeFromChars(body.GetProperty("payload").GetString()!)).Should().Be("{\"termsOfServiceAgreed\":true}");
        VerifyWithPublicKeyOnly(key, body).Should().BeTrue();
    }

    [Fact]
    public void Later_requests_carry_the_kid_and_a_POST_as_GET_has_an_empty_payload()
    {
        using var key = AcmeAccountKey.Create();

        var body = Parse(AcmeJws.Sign(key, "https://acme.test/order/1", "nonce-2", "https://acme.test/acct/7", [], postAsGet: true));

        var header = Decode(body.GetProperty("protected").GetString()!);
        header.GetProperty("kid").GetString().Should().Be("https://acme.test/acct/7");
        header.TryGetProperty("jwk", out _).Should().BeFalse();
        body.GetProperty("payload").GetString().Should().BeEmpty("RFC 8555 §6.3: the payload of a POST-as-GET is the empty string");
        VerifyWithPublicKeyOnly(key, body).Should().BeTrue();
    }

    [Fact]
    public void The_key_survives_its_PEM_file()
    {
        using var key = AcmeAccountKey.Create();
        using var again = AcmeAccountKey.FromPem(key.ExportPem());

        again.Thumbprint.Should().Be(key.Thumbprint);
    }

    /// <summary>Checks the signature as a server does: from the JWK's coordinates alone (RFC 7515 §5.2).</summary>
    private static bool VerifyWithPublicKeyOnly(AcmeAccountKey key, JsonElement body)
    {
        using var jwk = JsonDocument.Parse(key.JsonWebKey);
        using var publicKey = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint
            {
                X = Base64Url.DecodeFromChars(jwk.RootElement.GetProperty("x").GetString()),
                Y = Base64Url.DecodeFromChars(jwk.RootElement.GetProperty("y").GetString()),
            },
        });
        var input = Encoding.ASCII.GetBytes(body.GetProperty("protected").GetString() + "." + body.GetProperty("payload").GetString());
        var signature = Base64Url.DecodeFromChars(body.GetProperty("signature").GetString());
        signature.Should().HaveCount(64, "ES256 signatures are R and S of 32 bytes each (RFC 7518 §3.4), not DER");
        return publicKey.VerifyData(input, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    private static JsonElement Parse(byte[] json) => JsonDocument.Parse(json).RootElement.Clone();

    private static JsonElement Decode(string base64Url) => JsonDocument.Parse(Base64Url.DecodeFromChars(base64Url)).RootElement.Clone();
}
