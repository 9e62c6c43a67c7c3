using System.Buffers.Text;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailHost.Certificates.Acme;

namespace MailHost.Tests.Certificates.Acme;

/// <summary>Key authorizations (RFC 8555 §8.1), the DNS-01 value (§8.4) and the TLS-ALPN-01 certificate (RFC 8737 §3).</summary>
public sealed class AcmeChallengeAnswerTests
{
    private const string Token = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
    private const string Thumbprint = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";

    [Fact]
    public void The_key_authorization_is_the_token_a_dot_and_the_thumbprint()
    {
        AcmeKeyAuthorization.For(Token, Thumbprint).Should().Be(Token + "." + Thumbprint);
    }

    [Fact]
    public void The_DNS_01_record_holds_the_base64url_SHA_256_of_the_key_authorization()
    {
        var keyAuthorization = AcmeKeyAuthorization.For(Token, Thumbprint);

        AcmeKeyAuthorization.DnsTxtValue(keyAuthorization).Should().Be(Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(keyAuthorization))));
        AcmeKeyAuthorization.DnsTxtValue(keyAuthorization).Should().HaveLength(43).And.NotContain("=");
        AcmeKeyAuthorization.DnsRecordName("example.org").Should().Be("_acme-challenge.example.org");
    }

    [Fact]
    public void The_TLS_ALPN_01_certificate_names_the_identifier_and_carries_the_critical_acmeIdentifier_extension()
    {
        var keyAuthorization = AcmeKeyAuthorization.For(Token, Thumbprint);

        using var certificate = AcmeTlsAlpnCertificate.Create("mail.example.org", keyAuthorization, DateTimeOffset.UtcNow);

        certificate.HasPrivateKey.Should().BeTrue();
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().ToList();
        names.Should().Equal("mail.example.org");
        var extension = certificate.Extensions.Cast<X509Extension>().Single(e => e.Oid!.Value == "1.3.6.1.5.5.7.1.31");
        extension.Critical.Should().BeTrue("RFC 8737 §3: the extension MUST be critical");

        // Authorization ::= OCTET STRING (SIZE (32)): tag 04, length 32, the digest.
        var digest = SHA256.HashData(Encoding.ASCII.GetBytes(keyAuthorization));
        extension.RawData.Should().Equal([0x04, 0x20, .. digest]);
        new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadOctetString().Should().Equal(digest);
    }

    [Fact]
    public void Pending_answers_are_found_by_token_and_by_name_until_withdrawn()
    {
        var responses = new AcmeChallengeResponses();
        using var certificate = AcmeTlsAlpnCertificate.Create("mail.example.org", "a.b", DateTimeOffset.UtcNow);

        responses.AddHttp01(Token, "ka");
        responses.AddTlsAlpn01("Mail.Example.org", certificate);

        responses.FindHttp01KeyAuthorization(Token).Should().Be("ka");
        responses.FindHttp01KeyAuthorization("other").Should().BeNull();
        responses.FindTlsAlpn01Certificate("mail.example.org.").Should().BeSameAs(certificate, "names compare as DNS names do");
        responses.HasPendingTlsAlpn01.Should().BeTrue();

        responses.RemoveHttp01(Token);
        responses.RemoveTlsAlpn01("mail.example.org");

        responses.FindHttp01KeyAuthorization(Token).Should().BeNull();
        responses.HasPendingTlsAlpn01.Should().BeFalse();
    }
}
