using System.Text;
using System.Text.RegularExpressions;
using MailHost.Accounts;
using MailHost.Dkim;
using MailHost.Protocols.MailAuthentication;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;

namespace MailHost.Tests.MailAuthentication;

/// <summary>
/// DKIM against vectors not made by MimeKit (the library the server itself signs and verifies with): the example of
/// RFC 8463 Appendix A, and an RSA signature made by <c>Vectors/make_dkim_vector.py</c> (its own relaxed/relaxed
/// canonicalization, <c>openssl dgst -sha256 -sign</c>, a throwaway key kept with the vector).
/// </summary>
public sealed class DkimOutsideVectorTests
{
    // RFC 8463 Appendix A.2: the key records of football.example.com (the RSA one is RFC 6376's 1024-bit test key,
    // which RFC 8301 §3.2 still requires verifiers to accept).
    private const string Rfc8463Ed25519Record = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
    private const string Rfc8463RsaRecord =
        "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";

    private readonly MailAuthenticatorFixture _fixture = new();

    /// <summary>A vector file with CRLF line ends whatever the checkout did to them.</summary>
    private static string Vector(string name)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "MailAuthentication", "Vectors", name), Encoding.ASCII);
        return text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
    }

    private static string Tag(string field, string tag) =>
        Regex.Replace(Regex.Match(field, $@"(?:^|;)\s*{tag}=([^;]*)").Groups[1].Value, @"\s", "");

    [Fact]
    public async Task The_RFC_8463_example_verifies_under_both_signatures()
    {
        _fixture.Zone.Txt["brisbane._domainkey.football.example.com"] = [Rfc8463Ed25519Record];
        _fixture.Zone.Txt["test._domainkey.football.example.com"] = [Rfc8463RsaRecord];

        var result = await _fixture.AuthenticateAsync(Encoding.ASCII.GetBytes(Vector("rfc8463-appendix-a.eml")));

        result.Dkim.Select(d => (d.Result, d.Selector, d.Algorithm)).Should().Equal(
            (DkimResult.Pass, "brisbane", "ed25519-sha256"),
            (DkimResult.Pass, "test", "rsa-sha256"));
        _fixture.Zone.Asked.Should().Contain(["brisbane._domainkey.football.example.com", "test._domainkey.football.example.com"]);
    }

    [Fact]
    public async Task The_RFC_8463_example_fails_when_its_body_changes()
    {
        _fixture.Zone.Txt["brisbane._domainkey.football.example.com"] = [Rfc8463Ed25519Record];
        _fixture.Zone.Txt["test._domainkey.football.example.com"] = [Rfc8463RsaRecord];
        var changed = Vector("rfc8463-appendix-a.eml").Replace("hungry", "hungrY", StringComparison.Ordinal);

        var result = await _fixture.AuthenticateAsync(Encoding.ASCII.GetBytes(changed));

        result.Dkim.Select(d => d.Result).Should().Equal(DkimResult.Fail, DkimResult.Fail);
    }

    [Fact]
    public async Task An_RSA_signature_made_with_openssl_verifies_and_fails_when_one_body_byte_changes()
    {
        _fixture.Zone.Txt["outside._domainkey.vector.example"] = [Vector("dkim-vector-rsa.dns.txt").Trim()];
        var signed = Vector("dkim-vector-rsa.eml");

        var verdict = (await _fixture.AuthenticateAsync(Encoding.ASCII.GetBytes(signed))).Dkim.Should().ContainSingle().Subject;
        verdict.Result.Should().Be(DkimResult.Pass, verdict.Reason);
        verdict.Domain.Should().Be("vector.example");
        verdict.Selector.Should().Be("outside");

        // One byte of the body: "openssl." becomes "openssl!".
        var at = signed.IndexOf("openssl.", StringComparison.Ordinal) + "openssl".Length;
        var changed = string.Concat(signed.AsSpan(0, at), "!", signed.AsSpan(at + 1));
        changed.Length.Should().Be(signed.Length);
        (await _fixture.AuthenticateAsync(Encoding.ASCII.GetBytes(changed))).Dkim.Single().Result.Should().Be(DkimResult.Fail);

        // Relaxed body canonicalization (RFC 6376 §3.4.4): other whitespace at a line end is not a change.
        var respaced = signed.Replace("python3.   \r\n", "python3. \t\r\n", StringComparison.Ordinal);
        respaced.Should().NotBe(signed);
        (await _fixture.AuthenticateAsync(Encoding.ASCII.GetBytes(respaced))).Dkim.Single().Result.Should().Be(DkimResult.Pass);
    }

    [Fact]
    public void The_servers_signer_computes_the_body_hash_the_outside_computation_did()
    {
        var signed = Vector("dkim-vector-rsa.eml");
        var outsideField = signed[..signed.IndexOf("\r\nFrom:", StringComparison.Ordinal)];
        var outsideBodyHash = Tag(outsideField, "bh");
        outsideBodyHash.Should().NotBeEmpty();
        var message = MimeMessage.Load(new MemoryStream(Encoding.ASCII.GetBytes(signed[(outsideField.Length + 2)..])));
        message.Headers.Contains(HeaderId.DkimSignature).Should().BeFalse();

        var now = new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
        var key = DkimKeys.TryLoad(new DkimKey("vector.example", "server", DkimAlgorithms.RsaSha256, Vector("dkim-vector-rsa.key.pem"), now), out var problem);
        key.Should().NotBeNull(problem);
        var signer = new DkimMessageSigner(new InMemoryDkimKeyStore(), new InMemoryAccountDirectory(), TimeProvider.System, NullLogger.Instance);
        var field = signer.Sign(key, message, FormatOptions.Default, "vector");

        field.Should().NotBeNull();
        Tag(field.Value, "bh").Should().Be(outsideBodyHash);
    }
}
