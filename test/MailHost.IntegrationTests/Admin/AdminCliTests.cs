using MailHost.Accounts;
using MailHost.Server.Admin;
using MailHost.Storage.Sqlite;
using MailHost.Storage.Sqlite.Accounts;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace MailHost.IntegrationTests.Admin;

public sealed class AdminCliTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "mailhost-admin-" + Guid.NewGuid().ToString("N"));
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    private string DatabasePath => Path.Combine(_dataDirectory, "directory.db");

    [Theory]
    [InlineData(new[] { "users", "list" }, true)]
    [InlineData(new[] { "domains" }, true)]
    [InlineData(new[] { "aliases", "add" }, true)]
    [InlineData(new[] { "apikeys", "list" }, true)]
    [InlineData(new[] { "audit" }, true)]
    [InlineData(new[] { "--urls", "http://x" }, false)]
    [InlineData(new[] { "Users" }, false)]
    [InlineData(new string[0], false)]
    public void IsAdminCommand_recognises_the_three_nouns(string[] args, bool expected)
        => AdminCli.IsAdminCommand(args).Should().Be(expected);

    [Fact]
    public async Task The_full_flow_of_domains_users_and_aliases()
    {
        (await RunAsync("domains", "add", "Example.COM")).Should().Be(Ok("Domain 'example.com' added."));
        (await RunAsync("domains", "add", "example.org")).ExitCode.Should().Be(0);
        (await RunAsync("domains", "list")).Should().Be(Ok("example.com", "example.org"));

        var added = await RunAsync("users", "add", "Alice", "--address", "Alice@Example.com", "--address=a.smith@example.org", "--password", "pw one");
        added.ExitCode.Should().Be(0);
        added.Out.Should().Be("Account 'alice' added with alice@example.com, a.smith@example.org.\n");
        added.Err.Should().Contain("warning: --password puts the password in the process list").And.NotContain("pw one");

        (await RunAsync(["users", "add", "bob", "--address", "bob@example.com", "--password-stdin"], "bob's pw\nignored second line\n")).Should().Be(Ok("Account 'bob' added with bob@example.com."));
        (await RunAsync("aliases", "add", "Info@example.com", "alice")).Should().Be(Ok("Alias 'info@example.com' now delivers to account 'alice'."));
        (await RunAsync("aliases", "list")).Should().Be(Ok("info@example.com -> alice"));

        var list = await RunAsync("users", "list");
        list.ExitCode.Should().Be(0);
        list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal(
            "ACCOUNT  STATUS    ADDRESSES (ALIASES)",
            "alice    enabled   alice@example.com, a.smith@example.org (info@example.com)",
            "bob      enabled   bob@example.com");

        (await RunAsync(["users", "passwd", "ALICE", "--password-stdin"], "pw two\r\n")).Should().Be(Ok("Password of account 'alice' changed."));
        (await RunAsync("users", "disable", "bob")).Should().Be(Ok("Account 'bob' disabled."));
        (await RunAsync("aliases", "remove", "info@EXAMPLE.com")).Should().Be(Ok("Alias 'info@example.com' removed."));
        (await RunAsync("users", "remove", "bob")).Should().Be(Ok("Account 'bob' removed with its mail, addresses, aliases and login history."));
        (await RunAsync("domains", "remove", "example.org")).ExitCode.Should().Be(2, "alice still has an address there");

        var directory = await SqliteAccountDirectory.OpenAsync(DatabasePath, null, _timeout.Token);
        var alice = await directory.FindByAddressAsync("a.smith@example.org", _timeout.Token);
        alice.Should().BeEquivalentTo(new AccountInfo("alice", ["alice@example.com", "a.smith@example.org"], []));
        var record = await directory.GetPasswordRecordAsync("alice", _timeout.Token);
        record!.Verify("pw two").Should().BeTrue();
        record.Verify("pw one").Should().BeFalse();
        record.Iterations.Should().Be(PasswordRecord.MinimumIterations, "the configured iteration count is used");
        (await directory.FindByNameAsync("bob", _timeout.Token)).Should().BeNull();
        (await directory.ListAliasesAsync(_timeout.Token)).Should().BeEmpty();
    }

    [Fact]
    public async Task Password_stdin_reads_exactly_one_line_and_stores_a_verifiable_record()
    {
        await RunAsync("domains", "add", "example.com");

        var result = await RunAsync(["users", "add", "carol", "--address", "carol@example.com", "--password-stdin"], "  spaced pässword  \nsecond\n");

        result.Should().Be(Ok("Account 'carol' added with carol@example.com."));
        var directory = await SqliteAccountDirectory.OpenAsync(DatabasePath, null, _timeout.Token);
        var record = await directory.GetPasswordRecordAsync("carol", _timeout.Token);
        record!.Verify("  spaced pässword  ").Should().BeTrue("the whole line is the password, spaces included");
        record.Verify("second").Should().BeFalse();
    }

    [Fact]
    public async Task Users_show_prints_addresses_aliases_and_recent_logins_with_client_text_escaped()
    {
        await RunAsync("domains", "add", "example.com");
        await RunAsync(["users", "add", "alice", "--address", "alice@example.com", "--password-stdin"], "pw\n");
        await RunAsync("aliases", "add", "info@example.com", "alice");
        var directory = await SqliteAccountDirectory.OpenAsync(DatabasePath, null, _timeout.Token);
        await directory.RecordLoginAsync(
            new LoginRecord(new DateTimeOffset(2026, 3, 1, 9, 30, 5, TimeSpan.FromHours(2)), "alice", "alice@example.com", "IMAP", "PLAIN",
                new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.0.2.7"), 50123), Tls: true, "Evil\u001b[31mClient", LoginOutcome.Failed),
            _timeout.Token);

        var show = await RunAsync("users", "show", "Alice");

        show.ExitCode.Should().Be(0);
        show.Err.Should().BeEmpty();
        show.Out.Should().Contain("Account:   alice\n").And.Contain("Status:    enabled\n").And.Contain("Password:  set\n")
            .And.Contain("Addresses: alice@example.com\n").And.Contain("Aliases:   info@example.com\n")
            .And.Contain("Recent logins (newest first):");
        var row = show.Out.Split('\n').Single(line => line.Contains("192.0.2.7:50123", StringComparison.Ordinal));
        row.Split(' ', StringSplitOptions.RemoveEmptyEntries).Should().Equal(
            "2026-03-01", "07:30:05Z", "IMAP", "PLAIN", "Failed", "192.0.2.7:50123", "yes", "alice@example.com", "Evil\\u001B[31mClient");
        show.Out.Should().NotContain("\u001b").And.NotContain("SCRAM");
    }

    [Theory]
    [InlineData(new[] { "users" }, "error: missing users command")]
    [InlineData(new[] { "users", "frobnicate" }, "error: unknown users command frobnicate")]
    [InlineData(new[] { "users", "add", "alice", "--password", "x" }, "error: users add needs at least one --address")]
    [InlineData(new[] { "users", "add", "alice", "--address", "a@example.com" }, "error: give the password once, with either --password or --password-stdin")]
    [InlineData(new[] { "users", "add", "alice", "--address", "a@example.com", "--password", "x", "--password-stdin" }, "error: give the password once")]
    [InlineData(new[] { "users", "add", "alice", "--address", "a@example.com", "--password", "" }, "error: the password must not be empty")]
    [InlineData(new[] { "users", "add", "alice", "--address" }, "error: option --address needs a value")]
    [InlineData(new[] { "users", "add", "alice", "--nope", "--address", "a@example.com" }, "error: unknown option --nope")]
    [InlineData(new[] { "users", "passwd", "alice", "--password-stdin=yes" }, "error: option --password-stdin takes no value")]
    [InlineData(new[] { "users", "remove" }, "error: missing argument")]
    [InlineData(new[] { "users", "list", "extra" }, "error: unexpected argument extra")]
    [InlineData(new[] { "users", "show", "alice", "--logins", "many" }, "error: --logins takes a number from 0 to 100")]
    [InlineData(new[] { "domains", "add" }, "error: missing argument")]
    [InlineData(new[] { "aliases", "add", "x@example.com" }, "error: missing argument")]
    [InlineData(new[] { "aliases", "drop", "x@example.com" }, "error: unknown aliases command drop")]
    public async Task Usage_errors_exit_1_with_the_problem_and_usage_on_stderr(string[] args, string expectedError)
    {
        var result = await RunAsync(args);

        result.ExitCode.Should().Be(1);
        result.Out.Should().BeEmpty();
        result.Err.Should().StartWith(expectedError).And.Contain("Usage: mailhost <command> [arguments]");
        File.Exists(DatabasePath).Should().BeFalse("a usage error touches no database");
    }

    [Fact]
    public async Task Password_stdin_with_nothing_to_read_is_a_usage_error()
    {
        var result = await RunAsync(["users", "passwd", "alice", "--password-stdin"], string.Empty);

        result.ExitCode.Should().Be(1);
        result.Err.Should().StartWith("error: --password-stdin: no password on standard input");
    }

    [Theory]
    [InlineData([new[] { "help" }])]
    [InlineData([new[] { "--help" }])]
    [InlineData([new[] { "users", "--help" }])]
    [InlineData([new[] { "users", "add", "-h" }])]
    [InlineData([new[] { "aliases", "help" }])]
    public async Task Help_prints_usage_on_stdout_and_exits_0(string[] args)
    {
        var result = await RunAsync(args);

        result.ExitCode.Should().Be(0);
        result.Out.Should().Contain("users add <account> --address <address>").And.Contain("aliases remove <address>").And.Contain("Exit codes:");
        result.Err.Should().BeEmpty();
    }

    [Fact]
    public async Task Refused_requests_exit_2_with_a_clear_message()
    {
        await RunAsync("domains", "add", "example.com");
        await RunAsync("users", "add", "alice", "--address", "alice@example.com", "--password", "pw");

        (await RunAsync("users", "add", "alice", "--address", "x@example.com", "--password", "pw")).Should().BeEquivalentTo(
            new { ExitCode = 2, Out = string.Empty }, "a duplicate account is refused");
        (await RunAsync("users", "add", "alice", "--address", "x@example.com", "--password", "pw")).Err.Should().EndWith("error: Account 'alice' already exists.\n");
        (await RunAsync("users", "add", "bob", "--address", "bob@example.net", "--password", "pw")).Should().Be(Failed(
            "The domain of 'bob@example.net' is not a local domain; add it first with 'domains add example.net'.", warned: true));
        (await RunAsync("users", "add", "bob", "--address", "bob(at)example.com", "--password", "pw")).Should().Be(Failed(
            "'bob(at)example.com' is not a valid address: expected local@domain with a plain (unquoted) local part.", warned: true));
        (await RunAsync("users", "add", "bob@x", "--address", "bob@example.com", "--password", "pw")).ExitCode.Should().Be(2);
        (await RunAsync("users", "show", "nobody")).Should().Be(Failed("There is no account 'nobody'."));
        (await RunAsync("users", "show", "no body")).Should().Be(Failed("no body is not a valid account name."));
        (await RunAsync("users", "remove", "nobody")).Should().Be(Failed("There is no account 'nobody'."));
        (await RunAsync("domains", "add", "EXAMPLE.com")).Should().Be(Failed("Domain 'example.com' is already a local domain."));
        (await RunAsync("domains", "remove", "example.com")).Should().Be(Failed(
            "Domain 'example.com' is still used by 1 address(es) and 0 alias(es); remove them first."));
        (await RunAsync("aliases", "add", "alice@example.com", "alice")).Should().Be(Failed("'alice@example.com' is already an address of account 'alice'."));
        (await RunAsync("aliases", "remove", "nobody@example.com")).Should().Be(Failed("There is no alias 'nobody@example.com'."));
    }

    [Fact]
    public async Task Empty_directory_listings_say_so()
    {
        (await RunAsync("users", "list")).Should().Be(Ok("No accounts."));
        (await RunAsync("domains", "list")).Should().Be(Ok("No local domains."));
        (await RunAsync("aliases", "list")).Should().Be(Ok("No aliases."));
    }

    [Fact]
    public async Task A_bad_iteration_setting_is_a_failure_naming_the_key()
    {
        await RunAsync("domains", "add", "example.com");

        var result = await RunAsync(
            ["users", "add", "alice", "--address", "alice@example.com", "--password-stdin"], "pw\n", iterations: "1000");

        result.ExitCode.Should().Be(2);
        result.Err.Should().Contain("MailHost:Auth:PasswordIterations").And.Contain("at least 4096");
    }

    [Fact]
    public async Task A_database_from_a_newer_version_is_a_failure_not_a_crash()
    {
        Directory.CreateDirectory(_dataDirectory);
        await using (var connection = await SqliteDatabase.OpenAsync(DatabasePath, _timeout.Token))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 999;";
            await command.ExecuteNonQueryAsync(_timeout.Token);
        }

        var result = await RunAsync("users", "list");

        result.ExitCode.Should().Be(2);
        result.Err.Should().Contain("newer than this MailHost knows");
    }

    [Fact]
    public async Task Configuration_overrides_on_the_command_line_are_skipped()
    {
        var result = await RunAsync("--MailHost:DataDirectory=elsewhere", "domains", "--MailHost:Other", "value", "add", "example.com");

        result.Should().Be(Ok("Domain 'example.com' added."));
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

    private static CliResult Ok(params string[] lines) => new(0, string.Concat(lines.Select(l => l + "\n")), string.Empty);

    private static CliResult Failed(string message, bool warned = false) => new(
        2,
        string.Empty,
        (warned ? "warning: --password puts the password in the process list and the shell history, where other local users can read it; use --password-stdin.\n" : string.Empty) + "error: " + message + "\n");

    private Task<CliResult> RunAsync(params string[] args) => RunAsync(args, string.Empty);

    private async Task<CliResult> RunAsync(string[] args, string stdin, string iterations = "4096")
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["MailHost:DataDirectory"] = _dataDirectory,
                ["MailHost:Auth:PasswordIterations"] = iterations,
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
