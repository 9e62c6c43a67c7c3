using System.Net;
using System.Text.RegularExpressions;
using MailHost.Accounts;
using MailHost.Server.Admin;
using MailHost.Storage.Sqlite.Accounts;
using Microsoft.Extensions.Configuration;

namespace MailHost.IntegrationTests.Admin;

/// <summary><c>users app-passwords add|list|revoke|require</c> on a data directory, with the audit entry of each change.</summary>
public sealed partial class AdminCliAppPasswordTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "mailhost-admin-apppw-" + Guid.NewGuid().ToString("N"));
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    private string DatabasePath => Path.Combine(_dataDirectory, "directory.db");

    [Fact]
    public async Task Add_prints_the_id_and_the_secret_once_and_the_directory_accepts_that_secret()
    {
        await AddAliceAsync();

        var added = await RunAsync(
            "users", "app-passwords", "add", "ALICE", "--name", "Alice's phone", "--protocols", "imap, SMTP",
            "--network", "192.0.2.0/24", "--network=2001:db8::/48", "--expires", "2099-01-31");

        added.ExitCode.Should().Be(0, added.Err);
        var lines = added.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(2);
        var header = CreatedLine().Match(lines[0]);
        header.Success.Should().BeTrue(lines[0]);
        header.Groups["rules"].Value.Should().Be("imap,smtp; networks 192.0.2.0/24, 2001:db8::/48; expires 2099-01-31 00:00:00Z");
        var id = header.Groups["id"].Value;
        var secret = lines[1];
        secret.Should().MatchRegex("^[a-z2-9]{6}(-[a-z2-9]{6}){3}$");
        added.Err.Should().StartWith("warning: the secret is not shown again").And.Contain($"users app-passwords revoke alice {id}");

        var directory = await OpenDirectoryAsync();
        var stored = (await directory.ListAppPasswordsAsync("alice", _timeout.Token)).Should().ContainSingle().Subject;
        stored.Should().BeEquivalentTo(new
        {
            Id = id,
            Name = "Alice's phone",
            Protocols = AppPasswordProtocols.Imap | AppPasswordProtocols.Smtp,
            Expires = (DateTimeOffset?)new DateTimeOffset(2099, 1, 31, 0, 0, 0, TimeSpan.Zero),
        });
        stored.Networks.Should().Equal(IPNetwork.Parse("192.0.2.0/24"), IPNetwork.Parse("2001:db8::/48"));
        AppPasswordSecrets.TryNormalize(secret, out var normalized).Should().BeTrue();
        var key = (await directory.GetServerSecretAsync(_timeout.Token))!.Value;
        var credential = await directory.FindAppPasswordAsync("alice", AppPasswordSecrets.LookupTag(key.Span, normalized!), _timeout.Token);
        credential!.Record.Verify(normalized!).Should().BeTrue();
        credential.Record.Iterations.Should().Be(4096, "the configured iteration count is used");

        var audit = await RunAsync("audit");
        audit.Out.Should().Contain(AuditActions.AppPasswordCreate).And.Contain($"{id} (Alice's phone): imap,smtp;").And.NotContain(secret);
        (await RunAsync("users", "app-passwords", "list", "alice")).Out.Should().NotContain(secret).And.NotContain(normalized!);
    }

    [Fact]
    public async Task List_shows_each_app_password_with_its_limits_and_last_use_and_users_show_names_it_in_the_login_history()
    {
        await AddAliceAsync();
        (await RunAsync("users", "app-passwords", "list", "alice")).Should().Be(new CliResult(0, "Account 'alice' accepts its own password and its app passwords.\nNo app passwords.\n", string.Empty));
        var first = Id((await RunAsync("users", "app-passwords", "add", "alice", "--name", "Laptop")).Out);
        var second = Id((await RunAsync("users", "app-passwords", "add", "alice", "--name", "Phone", "--protocols", "pop3", "--network", "198.51.100.7", "--expires", "30d")).Out);
        var directory = await OpenDirectoryAsync();
        var used = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        await directory.RecordAppPasswordUseAsync("alice", first, new AppPasswordUse(used, IPAddress.Parse("192.0.2.7"), "IMAP", "Thunder\u001bbird"), _timeout.Token);
        await directory.RecordLoginAsync(
            new LoginRecord(used, "alice", "alice", "IMAP", "PLAIN", new IPEndPoint(IPAddress.Parse("192.0.2.7"), 50123), Tls: true, null, LoginOutcome.Succeeded)
            {
                AppPasswordId = first,
                AppPasswordName = "Laptop",
            },
            _timeout.Token);

        var list = await RunAsync("users", "app-passwords", "list", "alice");

        list.ExitCode.Should().Be(0, list.Err);
        var rows = list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        rows[0].Should().Be("Account 'alice' accepts its own password and its app passwords.");
        rows[1].Should().MatchRegex("^ID +NAME +PROTOCOLS +NETWORKS +EXPIRES \\(UTC\\) +CREATED \\(UTC\\) +LAST USE$");
        rows.Should().HaveCount(4);
        rows.Should().Contain(r => r.StartsWith(first, StringComparison.Ordinal) && r.Contains("Laptop", StringComparison.Ordinal)
            && r.Contains("imap,pop3,smtp", StringComparison.Ordinal) && r.Contains(" any ", StringComparison.Ordinal) && r.Contains(" never ", StringComparison.Ordinal)
            && r.EndsWith("2026-12-01 08:00:00Z IMAP from 192.0.2.7 (Thunder\\u001Bbird)", StringComparison.Ordinal));
        rows.Should().Contain(r => r.StartsWith(second, StringComparison.Ordinal) && r.Contains("pop3", StringComparison.Ordinal)
            && r.Contains("198.51.100.7/32", StringComparison.Ordinal) && r.EndsWith("never", StringComparison.Ordinal));
        list.Out.Should().NotContain("\u001b");

        var show = await RunAsync("users", "show", "alice");
        show.Out.Should().Contain("Mail auth: password or app passwords\n").And.Contain("APP PASSWORD").And.Contain($"Laptop ({first})");
    }

    [Fact]
    public async Task Revoke_removes_one_app_password_and_an_unknown_one_is_a_refusal()
    {
        await AddAliceAsync();
        var id = Id((await RunAsync("users", "app-passwords", "add", "alice", "--name", "Phone")).Out);

        (await RunAsync("users", "app-passwords", "revoke", "alice", "ffffffff")).Should().Be(Failed("Account 'alice' has no app password 'ffffffff'."));
        (await RunAsync("users", "app-passwords", "revoke", "Alice", id.ToUpperInvariant())).Should().Be(Ok($"App password {id} of account 'alice' revoked; it is refused from now on."));
        (await RunAsync("users", "app-passwords", "revoke", "alice", id)).ExitCode.Should().Be(2, "it is gone");
        (await (await OpenDirectoryAsync()).ListAppPasswordsAsync("alice", _timeout.Token)).Should().BeEmpty();
        (await RunAsync("audit")).Out.Should().Contain(AuditActions.AppPasswordRevoke).And.Contain($"{id} (Phone)");
    }

    [Fact]
    public async Task Require_refuses_the_account_password_for_mail_and_off_accepts_it_again()
    {
        await AddAliceAsync();

        (await RunAsync("users", "app-passwords", "require", "Alice")).Should().Be(
            Ok("Account 'alice' now requires app passwords: its own password is refused for IMAP, POP3 and SMTP."));
        (await (await OpenDirectoryAsync()).FindByNameAsync("alice", _timeout.Token))!.RequiresAppPasswords.Should().BeTrue();
        (await RunAsync("users", "show", "alice")).Out.Should().Contain("Mail auth: app passwords only");
        (await RunAsync("users", "app-passwords", "list", "alice")).Out.Should().StartWith("Account 'alice' requires app passwords");

        (await RunAsync("users", "app-passwords", "require", "alice", "--off")).Should().Be(Ok("Account 'alice' accepts its own password for IMAP, POP3 and SMTP again."));
        (await (await OpenDirectoryAsync()).FindByNameAsync("alice", _timeout.Token))!.RequiresAppPasswords.Should().BeFalse();
        (await RunAsync("users", "app-passwords", "require", "nobody")).Should().Be(Failed("There is no account 'nobody'."));
        var audit = (await RunAsync("audit")).Out;
        audit.Should().Contain(AuditActions.AppPasswordsRequire).And.Contain(AuditActions.AppPasswordsOptional);
    }

    [Theory]
    [InlineData(new[] { "users", "app-passwords" }, "error: missing users app-passwords command (add, list, revoke, require)")]
    [InlineData(new[] { "users", "app-passwords", "rotate", "alice" }, "error: unknown users app-passwords command rotate")]
    [InlineData(new[] { "users", "app-passwords", "add", "alice" }, "error: users app-passwords add needs --name <device>")]
    [InlineData(new[] { "users", "app-passwords", "add", "alice", "--name", "" }, "error: An app password needs a name (the device it is for) of 1 to 64 printable characters.")]
    [InlineData(new[] { "users", "app-passwords", "add", "alice", "--name", "Phone", "--protocols", "imap,http" }, "error: Unknown protocol 'http'; use imap, pop3 and smtp separated by commas.")]
    [InlineData(new[] { "users", "app-passwords", "add", "alice", "--name", "Phone", "--network", "192.0.2.1/24" }, "error: '192.0.2.1/24' is not a network; use CIDR such as 192.0.2.0/24 or 2001:db8::/48 (no bits set after the prefix), or one address.")]
    [InlineData(new[] { "users", "app-passwords", "add", "alice", "--name", "Phone", "--expires", "soon" }, "error: 'soon' is not an expiry: give a duration such as 90d, 12w or 36h, or an ISO 8601 date such as 2027-03-31 (or 2027-03-31T18:00Z).")]
    [InlineData(new[] { "users", "app-passwords", "add", "alice", "--name", "Phone", "--expires", "2001-01-01" }, "error: The expiry 2001-01-01 00:00:00Z is not in the future.")]
    [InlineData(new[] { "users", "app-passwords", "revoke", "alice" }, "error: missing argument")]
    [InlineData(new[] { "users", "app-passwords", "require", "alice", "--on" }, "error: unknown option --on")]
    public async Task Usage_errors_exit_1_and_create_nothing(string[] args, string expectedError)
    {
        await AddAliceAsync();

        var result = await RunAsync(args);

        result.ExitCode.Should().Be(1);
        result.Out.Should().BeEmpty();
        result.Err.Should().StartWith(expectedError + "\n").And.Contain("Usage: mailhost <command> [arguments]");
        (await (await OpenDirectoryAsync()).ListAppPasswordsAsync("alice", _timeout.Token)).Should().BeEmpty();
    }

    [Fact]
    public async Task An_unknown_account_is_a_refusal_and_help_lists_the_commands()
    {
        await AddAliceAsync();

        (await RunAsync("users", "app-passwords", "add", "nobody", "--name", "Phone")).Should().Be(Failed("There is no account 'nobody'."));
        (await RunAsync("users", "app-passwords", "list", "nobody")).Should().Be(Failed("There is no account 'nobody'."));
        var help = await RunAsync("users", "app-passwords", "help");
        help.ExitCode.Should().Be(0);
        help.Out.Should().Contain("users app-passwords add <account> --name <device>").And.Contain("users app-passwords list <account>")
            .And.Contain("users app-passwords revoke <account> <id>").And.Contain("users app-passwords require <account> [--off]");
    }

    public void Dispose()
    {
        _timeout.Dispose();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [GeneratedRegex("^App password (?<id>[0-9a-f]{8}) \\(Alice's phone\\) created for account 'alice': (?<rules>.+)\\. Its secret:$")]
    private static partial Regex CreatedLine();

    private static string Id(string output) => output.Split(' ')[2];

    private async Task AddAliceAsync()
    {
        (await RunAsync("domains", "add", "example.com")).ExitCode.Should().Be(0);
        (await RunAsync(["users", "add", "alice", "--address", "alice@example.com", "--password-stdin"], "pw\n")).ExitCode.Should().Be(0);
    }

    private async Task<SqliteAccountDirectory> OpenDirectoryAsync() => await SqliteAccountDirectory.OpenAsync(DatabasePath, null, _timeout.Token);

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
        var exitCode = await AdminCli.RunAsync(args, configuration, output, error, input, _timeout.Token).WaitAsync(TimeSpan.FromSeconds(60));
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    private sealed record CliResult(int ExitCode, string Out, string Err);
}
