using System.Text.RegularExpressions;
using MailHost.Accounts;
using MailHost.Server.Admin;
using MailHost.Storage.Sqlite;
using MailHost.Storage.Sqlite.Accounts;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace MailHost.IntegrationTests.Admin;

/// <summary><c>users admin</c>, <c>users totp</c>, <c>apikeys ...</c>, <c>audit</c>, and the audit entries of every change.</summary>
public sealed partial class AdminCliOperatorTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "mailhost-admin-ops-" + Guid.NewGuid().ToString("N"));
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    private static string Actor => "cli:" + Environment.UserName;

    private string DatabasePath => Path.Combine(_dataDirectory, "directory.db");

    [Theory]
    [InlineData("apikeys")]
    [InlineData("audit")]
    public void IsAdminCommand_accepts_the_new_nouns(string noun) => AdminCli.IsAdminCommand([noun]).Should().BeTrue();

    [Fact]
    public async Task Users_admin_grants_and_revokes_the_role_and_users_show_prints_it()
    {
        await AddAliceAsync();

        (await RunAsync("users", "admin", "Alice")).Should().Be(Ok("Account 'alice' is an administrator."));
        var show = await RunAsync("users", "show", "alice");
        show.Out.Should().Contain("Role:      administrator\n").And.Contain("TOTP:      off\n");
        (await (await OpenDirectoryAsync()).IsAdministratorAsync("alice", _timeout.Token)).Should().BeTrue();

        (await RunAsync("users", "admin", "alice", "--revoke")).Should().Be(Ok("Account 'alice' is no longer an administrator."));
        (await RunAsync("users", "show", "alice")).Out.Should().Contain("Role:      user\n");
        (await RunAsync("users", "admin", "nobody")).Should().Be(Failed("There is no account 'nobody'."));
        (await RunAsync("users", "admin")).ExitCode.Should().Be(1);
    }

    [Fact]
    public async Task Users_quota_shows_sets_keeps_the_other_limit_and_returns_to_the_defaults()
    {
        await AddAliceAsync();

        (await RunAsync("users", "quota", "alice")).Should().Be(new CliResult(0, "Storage:  0 of unlimited octets\nMessages: 0 of unlimited\n", string.Empty));
        var set = await RunAsync("users", "quota", "alice", "--storage", "1048576");
        set.ExitCode.Should().Be(0, set.Err);
        set.Out.Should().Be("The quota of alice is now storage 1048576, messages unlimited.\nStorage:  0 of 1048576 octets\nMessages: 0 of unlimited\n");
        (await RunAsync("users", "quota", "alice", "--messages", "50")).Out.Should().Contain("storage 1048576, messages 50");
        (await RunAsync("users", "quota", "alice", "--default")).Out.Should().Contain("the store's defaults").And.Contain("0 of unlimited octets");
        (await RunAsync("users", "quota", "alice", "--storage", "lots")).ExitCode.Should().Be(1);
        (await RunAsync("users", "quota", "alice", "--default", "--messages", "5")).ExitCode.Should().Be(1);
        (await RunAsync("users", "quota", "nobody", "--messages", "5")).Should().Be(Failed("There is no account 'nobody'."));
        (await RunAsync("audit")).Out.Should().Contain(AuditActions.AccountQuota);
    }

    [Fact]
    public async Task Users_totp_enable_prints_the_key_once_as_base32_and_as_an_otpauth_uri_and_disable_drops_it()
    {
        await AddAliceAsync();

        var enabled = await RunAsync("users", "totp", "ALICE", "--enable");

        enabled.ExitCode.Should().Be(0, enabled.Err);
        var lines = enabled.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be("TOTP of account 'alice' set up with a new key.");
        var key = KeyLine().Match(lines[1]);
        key.Success.Should().BeTrue(lines[1]);
        var base32 = key.Groups[1].Value;
        lines[2].Should().Be($"URI:          otpauth://totp/MailHost:alice?secret={base32}&issuer=MailHost");
        enabled.Err.Should().StartWith("warning: add the key to an authenticator app now");
        var stored = await (await OpenDirectoryAsync()).GetTotpSecretAsync("alice", _timeout.Token);
        stored.Should().HaveCount(20).And.Equal(Base32Decode(base32));
        (await RunAsync("users", "show", "alice")).Out.Should().Contain("TOTP:      on\n").And.NotContain(base32, "the key is shown once");

        var again = await RunAsync("users", "totp", "alice", "--enable");
        again.Out.Should().NotContain(base32, "every --enable makes a new key");

        (await RunAsync("users", "totp", "alice", "--disable")).Should().Be(Ok("TOTP of account 'alice' turned off."));
        (await (await OpenDirectoryAsync()).GetTotpSecretAsync("alice", _timeout.Token)).Should().BeNull();
        (await RunAsync("users", "totp", "nobody", "--enable")).Should().Be(Failed("There is no account 'nobody'."));
    }

    [Theory]
    [InlineData(new[] { "users", "totp", "alice" }, "error: users totp needs one of --enable and --disable")]
    [InlineData(new[] { "users", "totp", "alice", "--enable", "--disable" }, "error: users totp needs one of --enable and --disable")]
    [InlineData(new[] { "users", "admin", "alice", "--grant" }, "error: unknown option --grant")]
    [InlineData(new[] { "apikeys" }, "error: missing apikeys command (add, list, revoke)")]
    [InlineData(new[] { "apikeys", "rotate" }, "error: unknown apikeys command rotate")]
    [InlineData(new[] { "apikeys", "add" }, "error: missing argument")]
    [InlineData(new[] { "apikeys", "add", "" }, "error: an API key name has 1 to 64 printable characters, not -")]
    [InlineData(new[] { "apikeys", "add", "bad\u001b[2Jname" }, "error: an API key name has 1 to 64 printable characters, not bad\\u001B[2Jname")]
    [InlineData(new[] { "apikeys", "revoke" }, "error: missing argument")]
    [InlineData(new[] { "audit", "--count", "0" }, "error: --count takes a number from 1 to 100000")]
    [InlineData(new[] { "audit", "--count", "many" }, "error: --count takes a number from 1 to 100000")]
    [InlineData(new[] { "audit", "extra" }, "error: unexpected argument extra")]
    public async Task Usage_errors_exit_1_and_touch_no_database(string[] args, string expectedError)
    {
        var result = await RunAsync(args);

        result.ExitCode.Should().Be(1);
        result.Out.Should().BeEmpty();
        result.Err.Should().StartWith(expectedError + "\n").And.Contain("Usage: mailhost <command> [arguments]");
        File.Exists(DatabasePath).Should().BeFalse();
    }

    [Fact]
    public async Task Help_lists_the_new_commands()
    {
        var help = await RunAsync("apikeys", "help");

        help.ExitCode.Should().Be(0);
        help.Out.Should().Contain("users admin <account> [--revoke]").And.Contain("users totp <account> --enable | --disable")
            .And.Contain("apikeys add <name> [--read-only]").And.Contain("apikeys list").And.Contain("apikeys revoke <id>")
            .And.Contain("audit [--count <n>]").And.Contain("only a SHA-256 hash");
        (await RunAsync("audit", "--help")).ExitCode.Should().Be(0);
    }

    [Fact]
    public async Task Apikeys_add_prints_a_working_token_once_and_list_and_revoke_manage_the_keys()
    {
        var added = await RunAsync("apikeys", "add", "deploy");

        added.ExitCode.Should().Be(0, added.Err);
        var lines = added.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(2);
        var token = lines[1];
        token.Should().MatchRegex("^mhk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$");
        var id = token[4..16];
        lines[0].Should().Be($"API key {id} (deploy, full) created. Its token:");
        added.Err.Should().StartWith("warning: the token is not shown again: only a SHA-256 hash of its secret is stored.")
            .And.Contain($"apikeys revoke {id}").And.NotContain(token);
        var directory = await OpenDirectoryAsync();
        (await directory.VerifyApiKeyAsync(token, _timeout.Token))!.Should().BeEquivalentTo(new { Id = id, Name = "deploy", Scope = ApiKeyScope.Full, CreatedBy = Actor });

        var readOnly = await RunAsync("apikeys", "add", "Grafana dashboard", "--read-only");
        readOnly.ExitCode.Should().Be(0);
        var readOnlyToken = readOnly.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1];
        (await directory.VerifyApiKeyAsync(readOnlyToken, _timeout.Token))!.Scope.Should().Be(ApiKeyScope.ReadOnly);

        var list = await RunAsync("apikeys", "list");
        list.ExitCode.Should().Be(0);
        var rows = list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        rows.Should().HaveCount(3);
        rows[0].Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Should().Equal(
            "ID", "NAME", "SCOPE", "STATUS", "CREATED (UTC)", "LAST USED", "CREATED BY");
        rows.Skip(1).Should().ContainSingle(r => r.StartsWith(id + "  deploy ", StringComparison.Ordinal) && r.Contains("  full  ", StringComparison.Ordinal) && r.Contains("  active  ", StringComparison.Ordinal));
        rows.Skip(1).Should().ContainSingle(r => r.Contains("Grafana dashboard", StringComparison.Ordinal) && r.Contains("  read-only  ", StringComparison.Ordinal));
        list.Out.Should().NotContain(token[17..], "only the hash of a secret is kept");

        (await RunAsync("apikeys", "revoke", id.ToUpperInvariant())).Should().Be(Ok($"API key {id} revoked; it is refused from now on."));
        (await RunAsync("apikeys", "revoke", id)).Should().Be(Failed($"There is no active API key '{id}'."));
        (await RunAsync("apikeys", "revoke", "nonsense\u001b")).Should().Be(Failed("There is no active API key 'nonsense\\u001B'."));
        (await directory.VerifyApiKeyAsync(token, _timeout.Token)).Should().BeNull();
        (await RunAsync("apikeys", "list")).Out.Split('\n').Should().ContainSingle(r => r.StartsWith(id, StringComparison.Ordinal) && r.Contains("  revoked  ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Empty_listings_say_so()
    {
        (await RunAsync("apikeys", "list")).Should().Be(Ok("No API keys."));
        (await RunAsync("audit")).Should().Be(Ok("The audit log is empty."));
    }

    [Fact]
    public async Task Every_change_is_audited_under_the_cli_actor_and_refusals_are_not()
    {
        (await RunAsync("domains", "add", "Example.com")).ExitCode.Should().Be(0);
        await RunAsync(["users", "add", "Alice", "--address", "Alice@Example.com", "--password-stdin"], "pw\n");
        await RunAsync(["users", "passwd", "alice", "--password-stdin"], "pw2\n");
        await RunAsync("users", "disable", "alice");
        await RunAsync("users", "enable", "alice");
        await RunAsync("users", "admin", "alice");
        await RunAsync("users", "admin", "alice", "--revoke");
        await RunAsync("users", "totp", "alice", "--enable");
        await RunAsync("users", "totp", "alice", "--disable");
        await RunAsync("aliases", "add", "Info@example.com", "ALICE");
        await RunAsync("aliases", "remove", "info@example.com");
        var token = (await RunAsync("apikeys", "add", "ci")).Out.Split('\n')[1];
        await RunAsync("apikeys", "revoke", token[4..16]);
        await RunAsync("users", "remove", "alice");
        await RunAsync("domains", "remove", "example.com");

        // Refused: nothing changed, nothing recorded.
        (await RunAsync("domains", "remove", "example.com")).ExitCode.Should().Be(2);
        (await RunAsync("users", "admin", "nobody")).ExitCode.Should().Be(2);
        (await RunAsync("apikeys", "revoke", token[4..16])).ExitCode.Should().Be(2);

        var audit = await (await OpenDirectoryAsync()).GetAuditAsync(100, _timeout.Token);
        audit.Should().AllSatisfy(e =>
        {
            e.Actor.Should().Be(Actor);
            e.RemoteAddress.Should().BeNull();
            e.Time.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        });
        audit.Reverse().Select(e => (e.Action, e.Target, e.Detail)).Should().Equal(
            (AuditActions.DomainCreate, "example.com", null),
            (AuditActions.AccountCreate, "alice", "addresses: alice@example.com"),
            (AuditActions.AccountPassword, "alice", null),
            (AuditActions.AccountDisable, "alice", null),
            (AuditActions.AccountEnable, "alice", null),
            (AuditActions.AccountAdminGrant, "alice", null),
            (AuditActions.AccountAdminRevoke, "alice", null),
            (AuditActions.AccountTotpEnable, "alice", null),
            (AuditActions.AccountTotpDisable, "alice", null),
            (AuditActions.AliasCreate, "info@example.com", "account: alice"),
            (AuditActions.AliasRemove, "info@example.com", null),
            (AuditActions.ApiKeyCreate, token[4..16], "ci (Full)"),
            (AuditActions.ApiKeyRevoke, token[4..16], null),
            (AuditActions.AccountRemove, "alice", null),
            (AuditActions.DomainRemove, "example.com", null));
    }

    [Fact]
    public async Task Audit_prints_the_newest_entries_first_with_stored_text_made_printable()
    {
        var directory = await OpenDirectoryAsync();
        var time = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        for (var i = 1; i <= 3; i++)
        {
            await directory.AppendAuditAsync(new AuditEntry(time.AddMinutes(i), "alice", "192.0.2." + i, AuditActions.AccountCreate, "user" + i, i == 3 ? "evil\u001b[31m detail" : null), _timeout.Token);
        }

        var all = await RunAsync("audit");
        var two = await RunAsync("audit", "--count", "2");

        all.ExitCode.Should().Be(0);
        var lines = all.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Select(l => Regex.Replace(l, " {2,}", " | ")).Should().Equal(
            "TIME (UTC) | ACTOR | REMOTE | ACTION | TARGET | DETAIL",
            "2026-03-01 12:03:00Z | alice | 192.0.2.3 | account.create | user3 | evil\\u001B[31m detail",
            "2026-03-01 12:02:00Z | alice | 192.0.2.2 | account.create | user2 | -",
            "2026-03-01 12:01:00Z | alice | 192.0.2.1 | account.create | user1 | -");
        all.Out.Should().NotContain("\u001b");
        two.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal(lines[..3]);
    }

    public void Dispose()
    {
        if (File.Exists(DatabasePath))
        {
            using var connection = new SqliteConnection(SqliteDatabase.ConnectionString(DatabasePath));
            SqliteConnection.ClearPool(connection);
        }

        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }

        _timeout.Dispose();
    }

    [GeneratedRegex("^Key \\(base32\\): ([A-Z2-7]{32})$")]
    private static partial Regex KeyLine();

    private static byte[] Base32Decode(string text)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bits = string.Concat(text.Select(c => Convert.ToString(Alphabet.IndexOf(c, StringComparison.Ordinal), 2).PadLeft(5, '0')));
        return [.. Enumerable.Range(0, bits.Length / 8).Select(i => Convert.ToByte(bits.Substring(i * 8, 8), 2))];
    }

    private async Task AddAliceAsync()
    {
        (await RunAsync("domains", "add", "example.com")).ExitCode.Should().Be(0);
        (await RunAsync(["users", "add", "alice", "--address", "alice@example.com", "--password-stdin"], "pw\n")).ExitCode.Should().Be(0);
    }

    private async Task<SqliteAccountDirectory> OpenDirectoryAsync()
    {
        Directory.CreateDirectory(_dataDirectory);
        return await SqliteAccountDirectory.OpenAsync(DatabasePath, null, _timeout.Token);
    }

    private static CliResult Ok(string line) => new(0, line + "\n", string.Empty);

    private static CliResult Failed(string message) => new(2, string.Empty, "error: " + message + "\n");

    private Task<CliResult> RunAsync(params string[] args) => RunAsync(args, string.Empty);

    private async Task<CliResult> RunAsync(string[] args, string stdin)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["MailHost:DataDirectory"] = _dataDirectory,
                ["MailHost:Auth:PasswordIterations"] = "4096",
            })
            .Build();
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        using var input = new StringReader(stdin);
        var exitCode = await AdminCli.RunAsync(args, configuration, output, error, input, _timeout.Token).WaitAsync(TimeSpan.FromSeconds(30));
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    private sealed record CliResult(int ExitCode, string Out, string Err);
}
