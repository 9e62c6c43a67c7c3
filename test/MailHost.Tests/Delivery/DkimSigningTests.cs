using System.Security.Cryptography;
using System.Text;
using MailHost.Accounts;
using MailHost.Delivery.Queue;
using MailHost.Dkim;
using MailHost.Tests.Accounts;
using MailHost.Tests.Storage;
using Microsoft.Extensions.Logging;
using MimeKit;
using MimeKit.Cryptography;

namespace MailHost.Tests.Delivery;

public sealed class DkimSigningTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly InMemoryDkimKeyStore _store = new();
    private readonly DkimRecordLocator _dns = new();
    private readonly RecordingLogger _log = new();

    private const string Text =
        "From: Alice <alice@Example.COM>\r\n" +
        "To: bob@remote.test\r\n" +
        "Cc: carol@remote.test\r\n" +
        "Reply-To: team@example.com\r\n" +
        "Subject: Quarterly   report\r\n" +
        "Date: Sun, 1 Mar 2026 12:00:00 +0000\r\n" +
        "Message-ID: <q1@example.com>\r\n" +
        "List-Id: Team <team.example.com>\r\n" +
        "List-Unsubscribe: <mailto:leave@example.com>\r\n" +
        "X-Mailer: test\r\n" +
        "MIME-Version: 1.0\r\n" +
        "Content-Type: text/plain; charset=utf-8\r\n" +
        "Content-Transfer-Encoding: 7bit\r\n" +
        "\r\n" +
        "Numbers are up.\r\n" +
        ".\r\n" +
        "Trailing space here   \r\n\r\n\r\n";

    private static MimeMessage Parse(string text) => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(text)));

    private static MimeMessage Reparse(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(FormatOptions.Default, stream);
        stream.Position = 0;
        return MimeMessage.Load(stream);
    }

    private DkimMessageSigner Signer() => new(_store, Directory(), _time, _log);

    /// <summary>alice, who writes as alice@example.com, the author of <see cref="Text"/>.</summary>
    private static InMemoryAccountDirectory Directory()
    {
        var directory = new InMemoryAccountDirectory();
        directory.AddDomain("example.com");
        directory.AddAccount("alice");
        directory.AddAddress("alice", "alice@example.com");
        return directory;
    }

    private static QueuedMessage Queued() => new("m1", "alice@example.com", "alice", 0, Now, Now.AddDays(5), Now, null, null, []);

    private async Task<DkimKey> KeyAsync(string algorithm, string domain = "example.com", string selector = "s1")
    {
        var key = DkimKeys.Create(domain, selector, algorithm, Now);
        (await _store.SaveAsync(key, CancellationToken.None)).IsSuccess.Should().BeTrue();
        _dns.Publish(key);
        return key;
    }

    private async Task<MimeMessage> SignAsync(MimeMessage message)
    {
        var signer = Signer();
        var key = await signer.FindKeyAsync(Queued(), message, CancellationToken.None);
        key.Should().NotBeNull();
        signer.Sign(key, message, FormatOptions.Default, "m1").Should().NotBeNull();
        return Reparse(message);
    }

    [Theory]
    [InlineData(DkimAlgorithms.RsaSha256, "rsa-sha256")]
    [InlineData(DkimAlgorithms.Ed25519Sha256, "ed25519-sha256")]
    public async Task A_signed_message_verifies_with_the_published_record_and_carries_the_agreed_tags(string algorithm, string tag)
    {
        await KeyAsync(algorithm);

        var signed = await SignAsync(Parse(Text));

        (await _dns.VerifyAllAsync(signed)).Should().Equal(true);
        var tags = Tags(signed.Headers[HeaderId.DkimSignature]!);
        tags["a"].Should().Be(tag);
        tags["d"].Should().Be("example.com", "the author domain, in canonical form");
        tags["s"].Should().Be("s1");
        tags["c"].Should().Be("relaxed/relaxed");
        tags["t"].Should().Be(Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        tags.Should().NotContainKey("l");
        tags["h"].Split(':').Should().Equal(
            "from", "reply-to", "subject", "date", "message-id", "to", "cc", "mime-version",
            "list-id", "list-unsubscribe", "content-type", "content-transfer-encoding", "from");
        _dns.Queries.Should().Be(1);
    }

    [Theory]
    [InlineData(DkimAlgorithms.RsaSha256)]
    [InlineData(DkimAlgorithms.Ed25519Sha256)]
    public async Task Changes_after_signing_break_the_signature_but_whitespace_refolding_does_not(string algorithm)
    {
        await KeyAsync(algorithm);
        var signed = await SignAsync(Parse(Text));
        var text = signed.ToString();

        // Relaxed canonicalization (RFC 6376 §3.4.2, §3.4.4): runs of spaces and trailing blank lines do not matter.
        var refolded = Parse(text.Replace("Subject: Quarterly   report", "Subject: Quarterly\r\n report", StringComparison.Ordinal) + "\r\n\r\n");
        (await _dns.VerifyAllAsync(refolded)).Should().Equal(true);

        var newSubject = Parse(text.Replace("Quarterly   report", "Quarterly repart", StringComparison.Ordinal));
        (await _dns.VerifyAllAsync(newSubject)).Should().Equal(false);

        var newBody = Parse(text.Replace("Numbers are up.", "Numbers are down.", StringComparison.Ordinal));
        (await _dns.VerifyAllAsync(newBody)).Should().Equal(false);

        var appended = Parse(text + "P.S. send money\r\n");
        (await _dns.VerifyAllAsync(appended)).Should().Equal([false], "no l= tag: the whole body is signed");

        // RFC 6376 §8.15: From is oversigned, so a second From added on the way breaks the signature.
        var secondFrom = Parse("From: Mallory <mallory@evil.test>\r\n" + text);
        (await _dns.VerifyAllAsync(secondFrom)).Should().Equal(false);
    }

    [Fact]
    public async Task Fields_are_signed_once_per_occurrence_and_absent_ones_are_not_named()
    {
        var message = Parse("From: a@example.com\r\nTo: b@remote.test\r\nTo: c@remote.test\r\nSubject: hi\r\n\r\nbody\r\n");

        DkimMessageSigner.FieldsToSign(message).Should().Equal("From", "Subject", "To", "To", "From");

        await KeyAsync(DkimAlgorithms.RsaSha256);
        (await _dns.VerifyAllAsync(await SignAsync(message))).Should().Equal(true);
    }

    [Fact]
    public async Task A_domain_without_a_key_gives_no_key_and_logs_at_debug()
    {
        await KeyAsync(DkimAlgorithms.RsaSha256, domain: "other.test");

        var key = await Signer().FindKeyAsync(Queued(), Parse(Text), CancellationToken.None);

        key.Should().BeNull();
        _log.Entries.Should().ContainSingle(e => e.EventId.Id == 3202 && e.Level == LogLevel.Debug && e.Message.Contains("example.com", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_message_without_From_gives_no_key()
    {
        await KeyAsync(DkimAlgorithms.RsaSha256);

        (await Signer().FindKeyAsync(Queued(), Parse("To: b@remote.test\r\nSubject: x\r\n\r\nbody\r\n"), CancellationToken.None)).Should().BeNull();
        _log.Entries.Should().ContainSingle(e => e.EventId.Id == 3201);
    }

    [Theory]
    [InlineData("rsa-sha1", "valid")]
    [InlineData("ed448-sha256", "valid")]
    [InlineData(DkimAlgorithms.RsaSha256, "garbage")]
    [InlineData(DkimAlgorithms.RsaSha256, "truncated")]
    [InlineData(DkimAlgorithms.RsaSha256, "ed25519")]
    [InlineData(DkimAlgorithms.Ed25519Sha256, "rsa")]
    [InlineData(DkimAlgorithms.RsaSha256, "rsa512")]
    public async Task A_key_with_an_unknown_algorithm_or_unusable_material_is_not_used_and_warned_about(string algorithm, string material)
    {
        var rsa = DkimKeys.Create("example.com", "s1", DkimAlgorithms.RsaSha256, Now).PrivateKeyPem;
        var pem = material switch
        {
            "valid" or "rsa" => rsa,
            "garbage" => "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n",
            "truncated" => rsa[..(rsa.Length / 2)] + "\n-----END PRIVATE KEY-----\n",
            "ed25519" => DkimKeys.Create("example.com", "s1", DkimAlgorithms.Ed25519Sha256, Now).PrivateKeyPem,
            _ => SmallRsaKey(),
        };
        (await _store.SaveAsync(new DkimKey("example.com", "s1", algorithm, pem, Now), CancellationToken.None)).IsSuccess.Should().BeTrue();

        var key = await Signer().FindKeyAsync(Queued(), Parse(Text), CancellationToken.None);

        key.Should().BeNull();
        var entry = _log.Entries.Should().ContainSingle(e => e.EventId.Id == 3203).Subject;
        entry.Level.Should().Be(LogLevel.Warning);
        entry.Message.Should().Contain("example.com").And.Contain("s1").And.NotContain("PRIVATE KEY");
        DkimKeys.TryGetDnsRecord(new DkimKey("example.com", "s1", algorithm, pem, Now), out _, out var problem).Should().BeFalse();
        problem.Should().NotBeNullOrEmpty();
    }

    private static string SmallRsaKey()
    {
        // RFC 8301 §3.2: keys below 1024 bits must not sign.
        using var rsa = RSA.Create(512);
        return rsa.ExportPkcs8PrivateKeyPem();
    }

    [Fact]
    public void The_RSA_record_publishes_a_2048_bit_SubjectPublicKeyInfo_that_matches_the_private_key()
    {
        var key = DkimKeys.Create("Example.COM.", "MH20260301", DkimAlgorithms.RsaSha256, Now);

        key.Domain.Should().Be("example.com");
        key.Selector.Should().Be("mh20260301");
        DkimKeys.RecordName(key).Should().Be("mh20260301._domainkey.example.com");
        DkimKeys.TryGetDnsRecord(key, out var record, out _).Should().BeTrue();
        record.Should().StartWith("v=DKIM1; k=rsa; p=");
        using var published = RSA.Create();
        published.ImportSubjectPublicKeyInfo(Convert.FromBase64String(record!["v=DKIM1; k=rsa; p=".Length..]), out _);
        published.KeySize.Should().Be(2048);
        using var secret = RSA.Create();
        secret.ImportFromPem(key.PrivateKeyPem);
        var data = "proof"u8.ToArray();
        published.VerifyData(data, secret.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .Should().BeTrue();
    }

    [Fact]
    public void The_Ed25519_record_publishes_the_raw_32_byte_public_key()
    {
        var key = DkimKeys.Create("example.com", "ed", DkimAlgorithms.Ed25519Sha256, Now);

        DkimKeys.TryGetDnsRecord(key, out var record, out _).Should().BeTrue();
        record.Should().StartWith("v=DKIM1; k=ed25519; p=");
        Convert.FromBase64String(record!["v=DKIM1; k=ed25519; p=".Length..]).Should().HaveCount(32, "RFC 8463 §4.2");
        key.PrivateKeyPem.Should().StartWith("-----BEGIN PRIVATE KEY-----");
        DkimKeys.Create("example.com", "ed", DkimAlgorithms.Ed25519Sha256, Now).PrivateKeyPem.Should().NotBe(key.PrivateKeyPem, "every key is new");
    }

    [Theory]
    [InlineData("mh20260301", true)]
    [InlineData("Mail-2026.eu", true)]
    [InlineData("a", true)]
    [InlineData("", false)]
    [InlineData("-x", false)]
    [InlineData("x-", false)]
    [InlineData("a..b", false)]
    [InlineData("a_b", false)]
    [InlineData("a b", false)]
    [InlineData("sél", false)]
    [InlineData("a;p=evil", false)]
    public void Selectors_follow_the_sub_domain_rule(string selector, bool valid)
    {
        DkimKeys.IsValidSelector(selector).Should().Be(valid);
        if (!valid)
        {
            FluentActions.Invoking(() => DkimKeys.Create("example.com", selector, DkimAlgorithms.RsaSha256, Now)).Should().Throw<ArgumentException>();
        }
    }

    [Fact]
    public void A_key_printed_or_logged_shows_no_private_material()
    {
        var key = DkimKeys.Create("example.com", "s1", DkimAlgorithms.Ed25519Sha256, Now);

        key.ToString().Should().Contain("example.com").And.Contain("s1").And.NotContain("PRIVATE").And.NotContain(key.PrivateKeyPem[30..60]);
        DkimKeys.TryLoad(key, out _)!.ToString().Should().NotContain("Ed25519PrivateKeyParameters");
    }

    [Fact]
    public async Task The_in_memory_store_finds_keys_by_canonical_domain_and_reports_replacement()
    {
        var first = DkimKeys.Create("example.com", "s1", DkimAlgorithms.RsaSha256, Now);
        var second = DkimKeys.Create("example.com", "s2", DkimAlgorithms.Ed25519Sha256, Now.AddDays(1));

        (await _store.SaveAsync(first, CancellationToken.None)).Value.Should().BeFalse();
        (await _store.GetAsync("EXAMPLE.com.", CancellationToken.None)).Should().Be(first);
        (await _store.SaveAsync(second with { Domain = "Example.Com" }, CancellationToken.None)).Value.Should().BeTrue();
        (await _store.GetAsync("example.com", CancellationToken.None)).Should().Be(second);
        (await _store.GetAsync("other.test", CancellationToken.None)).Should().BeNull();
        (await _store.GetAsync("not a domain", CancellationToken.None)).Should().BeNull();
        var refused = await _store.SaveAsync(first with { Selector = "bad selector" }, CancellationToken.None);
        refused.IsSuccess.Should().BeFalse();
        refused.Error!.Code.Should().Be(MailHost.Storage.StoreErrorCode.InvalidArgument);
    }

    [Fact]
    public async Task A_signing_failure_leaves_the_message_unchanged_and_is_warned_about()
    {
        await KeyAsync(DkimAlgorithms.RsaSha256);
        var signer = Signer();
        var message = Parse(Text);
        var key = await signer.FindKeyAsync(Queued(), message, CancellationToken.None);
        var before = message.ToString();

        // An RSA key declared as Ed25519 gets past nothing but a hand-made signing key; MimeKit refuses it.
        var mismatched = key! with { Algorithm = DkimSignatureAlgorithm.Ed25519Sha256 };
        signer.Sign(mismatched, message, FormatOptions.Default, "m1").Should().BeNull();

        message.ToString().Should().Be(before);
        _log.Entries.Should().ContainSingle(e => e.EventId.Id == 3204 && e.Level == LogLevel.Warning);
    }

    internal static Dictionary<string, string> Tags(string value)
        => value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(tag => tag.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => string.Concat(pair[1].Where(c => !char.IsWhiteSpace(c))));
}
