using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using MailHost.Accounts;
using MailHost.Dkim;
using MailHost.Server.Admin;
using MailHost.Storage.Sqlite;
using MailHost.Storage.Sqlite.Accounts;
using MailHost.Storage.Sqlite.Queue;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace MailHost.IntegrationTests.Admin;

public sealed partial class AdminCliDkimTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "mailhost-dkim-" + Guid.NewGuid().ToString("N"));
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    private string QueuePath => Path.Combine(_dataDirectory, "queue.db");

    private static string TodaysSelector => "mh" + DateTime.UtcNow.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_new_RSA_key_prints_a_publishable_record_whose_key_verifies_what_the_stored_key_signs()
    {
        await RunAsync("domains", "add", "example.com");

        var result = await RunAsync("domains", "dkim", "Example.COM");

        result.ExitCode.Should().Be(0);
        result.Err.Should().BeEmpty();
        result.Out.Should().StartWith($"DKIM key created for example.com: selector {TodaysSelector}, rsa-sha256.");
        var (name, strings) = RecordLine(result.Out);
        name.Should().Be($"{TodaysSelector}._domainkey.example.com");
        strings.Should().HaveCountGreaterThan(1, "a 2048-bit key does not fit one 255-character string").And.OnlyContain(s => s.Length <= 255);
        var text = string.Concat(strings);
        text.Should().StartWith("v=DKIM1; k=rsa; p=");
        using (var rsa = RSA.Create())
        {
            rsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(text["v=DKIM1; k=rsa; p=".Length..]), out _);
            rsa.KeySize.Should().Be(2048);
        }

        var stored = await StoredKeyAsync("example.com");
        stored.Selector.Should().Be(TodaysSelector);
        result.Out.Should().NotContain("PRIVATE KEY").And.NotContain(stored.PrivateKeyPem.Split('\n')[2]);
        (await SignAndVerifyAsync(stored, text)).Should().BeTrue();
    }

    [Fact]
    public async Task An_Ed25519_key_prints_the_raw_public_key_in_one_string_and_verifies()
    {
        await RunAsync("domains", "add", "example.com");

        var result = await RunAsync("domains", "dkim", "example.com", "--algorithm", "ed25519", "--selector", "Ed1");

        result.ExitCode.Should().Be(0);
        var (name, strings) = RecordLine(result.Out);
        name.Should().Be("ed1._domainkey.example.com");
        var text = strings.Should().ContainSingle().Subject;
        text.Should().StartWith("v=DKIM1; k=ed25519; p=");
        Convert.FromBase64String(text["v=DKIM1; k=ed25519; p=".Length..]).Should().HaveCount(32);
        var stored = await StoredKeyAsync("example.com");
        stored.Algorithm.Should().Be(DkimAlgorithms.Ed25519Sha256);
        (await SignAndVerifyAsync(stored, text)).Should().BeTrue();
    }

    [Fact]
    public async Task Running_again_prints_the_same_record_and_keeps_the_key()
    {
        await RunAsync("domains", "add", "example.com");
        var first = await RunAsync("domains", "dkim", "example.com");
        var key = await StoredKeyAsync("example.com");

        var again = await RunAsync("domains", "dkim", "example.com");
        var shown = await RunAsync("domains", "dkim", "example.com", "--show");

        again.ExitCode.Should().Be(0);
        again.Out.Should().StartWith($"DKIM key of example.com: selector {TodaysSelector}, rsa-sha256, created ");
        RecordLine(again.Out).Should().BeEquivalentTo(RecordLine(first.Out));
        shown.Should().BeEquivalentTo(again);
        (await StoredKeyAsync("example.com")).Should().Be(key);
    }

    [Fact]
    public async Task Options_for_a_new_key_are_ignored_with_a_warning_while_a_key_exists()
    {
        await RunAsync("domains", "add", "example.com");
        var first = await RunAsync("domains", "dkim", "example.com");

        var again = await RunAsync("domains", "dkim", "example.com", "--algorithm", "ed25519");

        again.ExitCode.Should().Be(0);
        again.Err.Should().StartWith("warning: domain 'example.com' already has a DKIM key; --selector and --algorithm apply to a new key, made with --rotate.");
        RecordLine(again.Out).Should().BeEquivalentTo(RecordLine(first.Out));
    }

    [Fact]
    public async Task Creating_and_rotating_a_key_are_recorded_in_the_audit_log_and_showing_one_is_not()
    {
        await RunAsync("domains", "add", "example.com");

        await RunAsync("domains", "dkim", "Example.com", "--selector", "s1");
        await RunAsync("domains", "dkim", "example.com");
        await RunAsync("domains", "dkim", "example.com", "--show");
        await RunAsync("domains", "dkim", "example.com", "--rotate", "--selector", "s2", "--algorithm", "ed25519");

        var directory = await SqliteAccountDirectory.OpenAsync(Path.Combine(_dataDirectory, AdminCli.DirectoryFileName), null, _timeout.Token);
        var audit = await directory.GetAuditAsync(10, _timeout.Token);
        audit.Select(e => (e.Actor, e.Action, e.Target, e.Detail)).Should().Equal(
            ("cli:" + Environment.UserName, AuditActions.DkimRotate, "example.com", $"selector s2, {DkimAlgorithms.Ed25519Sha256} (was s1)"),
            ("cli:" + Environment.UserName, AuditActions.DkimCreate, "example.com", $"selector s1, {DkimAlgorithms.RsaSha256}"),
            ("cli:" + Environment.UserName, AuditActions.DomainCreate, "example.com", null));
    }

    [Fact]
    public async Task Rotate_makes_a_new_key_with_a_new_selector_and_names_the_old_one()
    {
        await RunAsync("domains", "add", "example.com");
        var first = await RunAsync("domains", "dkim", "example.com");
        var old = await StoredKeyAsync("example.com");

        var rotated = await RunAsync("domains", "dkim", "example.com", "--rotate");

        rotated.ExitCode.Should().Be(0);
        var (name, strings) = RecordLine(rotated.Out);
        name.Should().Be($"{TodaysSelector}-2._domainkey.example.com", "a second key on the same day gets a numbered selector");
        string.Concat(strings).Should().NotBe(string.Concat(RecordLine(first.Out).Strings));
        rotated.Out.Should().Contain($"It replaces the key with selector {TodaysSelector}: keep that record published");
        var current = await StoredKeyAsync("example.com");
        current.Selector.Should().Be(TodaysSelector + "-2");
        current.PrivateKeyPem.Should().NotBe(old.PrivateKeyPem);
        (await SignAndVerifyAsync(current, string.Concat(strings))).Should().BeTrue();

        (await RunAsync("domains", "dkim", "example.com", "--rotate")).Out.Should().Contain($"{TodaysSelector}-3._domainkey.example.com.");
        var chosen = await RunAsync("domains", "dkim", "example.com", "--rotate", "--selector", "s2026", "--algorithm", "ed25519");
        RecordLine(chosen.Out).Name.Should().Be("s2026._domainkey.example.com");
        (await StoredKeyAsync("example.com")).Algorithm.Should().Be(DkimAlgorithms.Ed25519Sha256);
    }

    [Fact]
    public async Task Rotating_to_the_current_selector_is_refused()
    {
        await RunAsync("domains", "add", "example.com");
        await RunAsync("domains", "dkim", "example.com", "--selector", "s1");
        var key = await StoredKeyAsync("example.com");

        var result = await RunAsync("domains", "dkim", "example.com", "--rotate", "--selector", "S1");

        result.Should().Be(new CliResult(2, string.Empty, "error: Selector 's1' is the current key's selector; a new key needs a new selector.\n"));
        (await StoredKeyAsync("example.com")).Should().Be(key);
    }

    [Fact]
    public async Task A_domain_that_is_not_local_is_refused_with_exit_2()
    {
        await RunAsync("domains", "add", "example.com");

        (await RunAsync("domains", "dkim", "example.org")).Should().Be(new CliResult(
            2, string.Empty, "error: Domain 'example.org' is not a local domain; add it first with 'domains add example.org'.\n"));
        (await RunAsync("domains", "dkim", "exa mple.org")).Should().Be(new CliResult(2, string.Empty, "error: 'exa mple.org' is not a valid domain.\n"));
        File.Exists(QueuePath).Should().BeFalse("nothing is stored for a refused domain");
    }

    [Fact]
    public async Task Show_without_a_key_is_refused_and_creates_none()
    {
        await RunAsync("domains", "add", "example.com");

        (await RunAsync("domains", "dkim", "example.com", "--show")).Should().Be(new CliResult(
            2, string.Empty, "error: Domain 'example.com' has no DKIM key; create one with 'domains dkim example.com'.\n"));
        await using var keys = await SqliteDkimKeyStore.OpenAsync(_dataDirectory, _timeout.Token);
        (await keys.GetAsync("example.com", _timeout.Token)).Should().BeNull();
    }

    [Fact]
    public async Task A_stored_key_that_cannot_be_read_is_reported_with_the_way_out()
    {
        await RunAsync("domains", "add", "example.com");
        await using (var keys = await SqliteDkimKeyStore.OpenAsync(_dataDirectory, _timeout.Token))
        {
            await keys.SaveAsync(new DkimKey("example.com", "old", "rsa-sha1", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", DateTimeOffset.UnixEpoch), _timeout.Token);
        }

        var shown = await RunAsync("domains", "dkim", "example.com");
        var rotated = await RunAsync("domains", "dkim", "example.com", "--rotate");

        shown.ExitCode.Should().Be(2);
        shown.Err.Should().Be("error: The DKIM key of 'example.com' (selector old) cannot be used: unknown algorithm 'rsa-sha1'. Replace it with 'domains dkim example.com --rotate'.\n");
        rotated.ExitCode.Should().Be(0);
        (await StoredKeyAsync("example.com")).Algorithm.Should().Be(DkimAlgorithms.RsaSha256);
    }

    [Theory]
    [InlineData(new[] { "domains", "dkim", "example.com", "--algorithm", "dsa" }, "error: --algorithm takes rsa or ed25519, not dsa")]
    [InlineData(new[] { "domains", "dkim", "example.com", "--algorithm", "rsa", "--algorithm", "rsa" }, "error: give --selector and --algorithm at most once")]
    [InlineData(new[] { "domains", "dkim", "example.com", "--selector", "bad_selector" }, "error: --selector bad_selector is not a valid selector")]
    [InlineData(new[] { "domains", "dkim", "example.com", "--rotate", "--show" }, "error: --rotate makes a new key and --show never does")]
    [InlineData(new[] { "domains", "dkim" }, "error: missing argument")]
    [InlineData(new[] { "domains", "dkim", "example.com", "example.org" }, "error: unexpected argument example.org")]
    [InlineData(new[] { "domains", "dkim", "example.com", "--rotate=yes" }, "error: option --rotate takes no value")]
    public async Task Usage_errors_exit_1_and_touch_no_database(string[] args, string expectedError)
    {
        var result = await RunAsync(args);

        result.ExitCode.Should().Be(1);
        result.Out.Should().BeEmpty();
        result.Err.Should().StartWith(expectedError).And.Contain("domains dkim <domain>");
        Directory.Exists(_dataDirectory).Should().BeFalse("a usage error touches no database");
    }

    public void Dispose()
    {
        foreach (var database in new[] { QueuePath, Path.Combine(_dataDirectory, AdminCli.DirectoryFileName) }.Where(File.Exists))
        {
            using var connection = new SqliteConnection(SqliteDatabase.ConnectionString(database));
            SqliteConnection.ClearPool(connection);
        }

        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }

        _timeout.Dispose();
    }

    [GeneratedRegex("^(?<name>\\S+)\\. IN TXT(?<strings>( \"[^\"]*\")+)$", RegexOptions.Multiline)]
    private static partial Regex ZoneLine();

    private static (string Name, List<string> Strings) RecordLine(string output)
    {
        var match = ZoneLine().Matches(output.Replace("\r", string.Empty, StringComparison.Ordinal)).Should().ContainSingle().Subject;
        var strings = Regex.Matches(match.Groups["strings"].Value, "\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        return (match.Groups["name"].Value, strings);
    }

    private async Task<DkimKey> StoredKeyAsync(string domain)
    {
        await using var keys = await SqliteDkimKeyStore.OpenAsync(_dataDirectory, _timeout.Token);
        var key = await keys.GetAsync(domain, _timeout.Token);
        key.Should().NotBeNull();
        return key;
    }

    /// <summary>Signs a message with the stored private key (loaded by MimeKit itself) and verifies it against the printed record.</summary>
    private static async Task<bool> SignAndVerifyAsync(DkimKey key, string record)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Alice", "alice@" + key.Domain));
        message.To.Add(new MailboxAddress("Bob", "bob@remote.test"));
        message.Subject = "Key check";
        message.Body = new TextPart("plain") { Text = "Signed with the stored key.\n" };
        var algorithm = key.Algorithm == DkimAlgorithms.Ed25519Sha256 ? DkimSignatureAlgorithm.Ed25519Sha256 : DkimSignatureAlgorithm.RsaSha256;
        var signer = new DkimSigner(new MemoryStream(Encoding.ASCII.GetBytes(key.PrivateKeyPem)), key.Domain, key.Selector, algorithm);
        signer.Sign(message, [HeaderId.From, HeaderId.To, HeaderId.Subject]);

        var verifier = new DkimVerifier(new SingleRecordLocator(record));
        return await verifier.VerifyAsync(message, message.Headers.First(h => h.Id == HeaderId.DkimSignature));
    }

    private sealed class SingleRecordLocator(string record) : DkimPublicKeyLocatorBase
    {
        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) => GetPublicKey(record);

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
            => Task.FromResult(GetPublicKey(record));
    }

    private Task<CliResult> RunAsync(params string[] args) => RunAsync(args, string.Empty);

    private async Task<CliResult> RunAsync(string[] args, string stdin)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["MailHost:DataDirectory"] = _dataDirectory })
            .Build();
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        using var input = new StringReader(stdin);
        var exitCode = await AdminCli.RunAsync(args, configuration, output, error, input, _timeout.Token).WaitAsync(TimeSpan.FromSeconds(60));
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    private sealed record CliResult(int ExitCode, string Out, string Err);
}
