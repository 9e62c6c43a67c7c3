using System.Text.RegularExpressions;
using MailHost.Accounts;
using MailHost.Server.Admin;
using MailHost.Storage;
using MailHost.Storage.Sqlite;
using MailHost.Storage.Sqlite.Accounts;
using MailHost.Storage.Sqlite.Mail;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace MailHost.IntegrationTests.Admin;

/// <summary>
/// <c>mailhost quarantine ...</c> over a SQLite data directory: the accounts made with the admin commands, the held
/// messages put into the quarantine through a mail store that stays open meanwhile, as a running server's would.
/// </summary>
public sealed partial class AdminCliQuarantineTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Received = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "mailhost-admin-quarantine-" + Guid.NewGuid().ToString("N"));
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private SqliteMailStore _server = null!;

    private static string Actor => "cli:" + Environment.UserName;

    private string DatabasePath => Path.Combine(_dataDirectory, AdminCli.DirectoryFileName);

    /// <summary>
    /// alice (with alice+tag@ by subaddressing) and bob (also through the alias sales@) of example.com; the
    /// quarantine account is not in the directory, as the configuration allows.
    /// </summary>
    public async Task InitializeAsync()
    {
        (await RunAsync("domains", "add", "example.com")).ExitCode.Should().Be(0);
        (await RunAsync("users", "add", "alice", "--address", "alice@example.com", "--password", "alice-pw")).ExitCode.Should().Be(0);
        (await RunAsync("users", "add", "bob", "--address", "bob@example.com", "--password", "bob-pw")).ExitCode.Should().Be(0);
        (await RunAsync("aliases", "add", "sales@example.com", "bob")).ExitCode.Should().Be(0);
        _server = new SqliteMailStore(new SqliteMailStoreOptions { DataDirectory = _dataDirectory, Maintenance = false });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        using (var connection = new SqliteConnection(SqliteDatabase.ConnectionString(DatabasePath)))
        {
            SqliteConnection.ClearPool(connection);
        }

        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }

        _timeout.Dispose();
    }

    [Fact]
    public void IsAdminCommand_accepts_quarantine() => AdminCli.IsAdminCommand(["quarantine", "list"]).Should().BeTrue();

    [Fact]
    public async Task List_shows_the_newest_first_with_the_server_fields_and_the_decoded_subject()
    {
        var first = new QuarantinedMessage("alice+news@example.com, sales@example.com");
        var second = new QuarantinedMessage("carol@remote.example", sender: "<>", transaction: "fedcba9876543210");
        var firstUid = await first.PutAsync(_server, Received, _timeout.Token);
        var secondUid = await second.PutAsync(_server, Received.AddMinutes(5), _timeout.Token);

        var list = await RunAsync("quarantine", "list");

        list.ExitCode.Should().Be(0, list.Err);
        list.Err.Should().BeEmpty();
        Columns(list.Out).Should().Equal(
            "UID | RECEIVED (UTC) | SIZE | SENDER | RECIPIENTS | SUBJECT | REASON",
            $"{secondUid} | 2026-03-02 10:05:00Z | {second.Held.Length} | <> | carol@remote.example | Grüße aus Berlin | {QuarantinedMessage.Reason}",
            $"{firstUid} | 2026-03-02 10:00:00Z | {first.Held.Length} | sender@remote.example | alice+news@example.com, sales@example.com | Grüße aus Berlin | {QuarantinedMessage.Reason}");
        list.Out.Should().NotContain("root@example.com", "the sender's own X-MailHost-Original-Recipients field is not the server's");

        var newest = await RunAsync("quarantine", "list", "--limit", "1");
        Columns(newest.Out).Should().HaveCount(2).And.Subject.Last().Should().StartWith(secondUid + " | ");
    }

    [Fact]
    public async Task Release_delivers_to_each_local_account_once_without_the_server_fields_and_empties_the_quarantine()
    {
        var held = new QuarantinedMessage("alice+news@example.com, sales@example.com, bob@example.com, nobody@example.com, carol@remote.example");
        var uid = await held.PutAsync(_server, Received, _timeout.Token);

        var released = await RunAsync("quarantine", "release", uid.ToString(System.Globalization.CultureInfo.InvariantCulture));

        released.ExitCode.Should().Be(0, released.Err);
        released.Out.Should().Be($"Message {uid} released to alice, bob.\n");
        released.Err.Should().Be(
            "warning: not delivered to nobody@example.com: no enabled local account has this address\n" +
            "warning: not delivered to carol@remote.example: not a local address: a release delivers to local accounts only\n");
        (await QuarantinedMessage.ReadMailboxAsync(_server, "alice", "INBOX", _timeout.Token)).Should().ContainSingle()
            .Which.Should().Equal(held.Released, "only the four server fields are left out; the sender's own X-MailHost- fields stay");
        (await QuarantinedMessage.ReadMailboxAsync(_server, "bob", "INBOX", _timeout.Token)).Should().ContainSingle("bob is named three ways but gets one copy")
            .Which.Should().Equal(held.Released);
        (await QuarantinedMessage.ReadMailboxAsync(_server, QuarantinedMessage.Account, QuarantinedMessage.Mailbox, _timeout.Token)).Should().BeEmpty();
        (await RunAsync("quarantine", "list")).Should().Be(Ok("The quarantine is empty."));

        var audit = await (await OpenDirectoryAsync()).GetAuditAsync(1, _timeout.Token);
        audit.Select(e => (e.Actor, e.Action, e.Target, e.Detail)).Should().Equal(
            (Actor, AuditActions.QuarantineRelease, uid.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"transaction 0123456789abcdef from sender@remote.example for {held.Recipients}; to alice, bob"));
        (await RunAsync("quarantine", "release", uid.ToString(System.Globalization.CultureInfo.InvariantCulture))).Should().Be(Failed($"There is no message {uid} in the quarantine."));
    }

    [Fact]
    public async Task Release_without_a_local_recipient_is_refused_and_keeps_the_message()
    {
        var held = new QuarantinedMessage("carol@remote.example, nobody@example.com");
        var uid = await held.PutAsync(_server, Received, _timeout.Token);

        var refused = await RunAsync("quarantine", "release", uid.ToString(System.Globalization.CultureInfo.InvariantCulture));

        refused.ExitCode.Should().Be(2);
        refused.Out.Should().BeEmpty();
        refused.Err.Should().EndWith($"error: None of the recipients of message {uid} is a local account; it stays in the quarantine.\n")
            .And.Contain("warning: not delivered to carol@remote.example");
        (await QuarantinedMessage.ReadMailboxAsync(_server, QuarantinedMessage.Account, QuarantinedMessage.Mailbox, _timeout.Token)).Should().ContainSingle()
            .Which.Should().Equal(held.Held, "nothing changed, not even a flag");
        (await (await OpenDirectoryAsync()).GetAuditAsync(10, _timeout.Token)).Should().NotContain(e => e.Action.StartsWith("quarantine.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_copy_refused_over_quota_keeps_the_message_for_a_second_release_and_loses_nothing()
    {
        var held = new QuarantinedMessage("alice@example.com, bob@example.com");
        var uid = await held.PutAsync(_server, Received, _timeout.Token);
        (await RunAsync("users", "quota", "bob", "--messages", "0")).ExitCode.Should().Be(0);
        var text = uid.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var partly = await RunAsync("quarantine", "release", text);

        partly.ExitCode.Should().Be(2);
        partly.Out.Should().BeEmpty();
        partly.Err.Should().StartWith("warning: not delivered to bob: ")
            .And.EndWith($"error: Message {uid} was delivered to alice only; it stays in the quarantine (a second release delivers to alice again).\n");
        (await QuarantinedMessage.ReadMailboxAsync(_server, "alice", "INBOX", _timeout.Token)).Should().ContainSingle();
        (await QuarantinedMessage.ReadMailboxAsync(_server, "bob", "INBOX", _timeout.Token)).Should().BeEmpty();
        (await (await OpenDirectoryAsync()).GetAuditAsync(1, _timeout.Token)).Single().Detail.Should().EndWith("; partly, to alice");

        // The claim was given back: the message can be released again once bob has room.
        (await RunAsync("users", "quota", "bob", "--default")).ExitCode.Should().Be(0);
        (await RunAsync("quarantine", "release", text)).Out.Should().Be($"Message {uid} released to alice, bob.\n");
        (await QuarantinedMessage.ReadMailboxAsync(_server, "alice", "INBOX", _timeout.Token)).Should().HaveCount(2, "a duplicate rather than a loss");
        (await QuarantinedMessage.ReadMailboxAsync(_server, "bob", "INBOX", _timeout.Token)).Should().ContainSingle().Which.Should().Equal(held.Released);
    }

    [Fact]
    public async Task A_message_flagged_deleted_is_not_released_twice_but_can_be_deleted()
    {
        var uid = await new QuarantinedMessage("alice@example.com").PutAsync(_server, Received, _timeout.Token);
        var opened = await _server.OpenAccountAsync(QuarantinedMessage.Account, _timeout.Token);
        await using (opened.Value)
        {
            // What a release in progress elsewhere (or the account's owner over IMAP) leaves.
            var view = await opened.Value.OpenMailboxAsync(QuarantinedMessage.Mailbox, examine: false, _timeout.Token);
            await using var selected = view.Value;
            (await selected.StoreFlagsAsync(UidSet.Of(uid), FlagOperation.Add, MessageFlags.Deleted, [], null, _timeout.Token)).IsSuccess.Should().BeTrue();
        }

        var text = uid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        (await RunAsync("quarantine", "release", text)).Should().Be(
            Failed($"Message {uid} is flagged \\Deleted: it is being released or deleted. Delete it, or clear the flag to release it."));
        (await QuarantinedMessage.ReadMailboxAsync(_server, "alice", "INBOX", _timeout.Token)).Should().BeEmpty();
        (await RunAsync("quarantine", "delete", text)).ExitCode.Should().Be(0);
        (await RunAsync("quarantine", "list")).Should().Be(Ok("The quarantine is empty."));
    }

    [Fact]
    public async Task Delete_removes_the_message_and_is_audited_and_unknown_uids_fail()
    {
        var kept = await new QuarantinedMessage("alice@example.com", transaction: "1111111111111111").PutAsync(_server, Received, _timeout.Token);
        var deleted = await new QuarantinedMessage("bob@example.com", transaction: "2222222222222222").PutAsync(_server, Received, _timeout.Token);

        (await RunAsync("quarantine", "delete", deleted.ToString(System.Globalization.CultureInfo.InvariantCulture))).Should().Be(Ok($"Message {deleted} deleted from the quarantine."));

        var list = Columns((await RunAsync("quarantine", "list")).Out);
        list.Should().HaveCount(2).And.Subject.Last().Should().StartWith(kept + " | ");
        (await QuarantinedMessage.ReadMailboxAsync(_server, "bob", "INBOX", _timeout.Token)).Should().BeEmpty("a delete delivers nothing");
        var audit = await (await OpenDirectoryAsync()).GetAuditAsync(1, _timeout.Token);
        audit.Select(e => (e.Actor, e.Action, e.Target, e.Detail)).Should().Equal(
            (Actor, AuditActions.QuarantineDelete, deleted.ToString(System.Globalization.CultureInfo.InvariantCulture), "transaction 2222222222222222 from sender@remote.example for bob@example.com"));
        (await RunAsync("quarantine", "delete", deleted.ToString(System.Globalization.CultureInfo.InvariantCulture))).Should().Be(Failed($"There is no message {deleted} in the quarantine."));
        (await RunAsync("quarantine", "release", "4000000000")).Should().Be(Failed("There is no message 4000000000 in the quarantine."));
    }

    [Fact]
    public async Task Before_anything_was_quarantined_the_quarantine_is_empty()
    {
        (await RunAsync("quarantine", "list")).Should().Be(Ok("The quarantine is empty."));
        (await RunAsync("quarantine", "delete", "1")).Should().Be(Failed("There is no message 1 in the quarantine."));
    }

    [Fact]
    public async Task Without_a_quarantine_account_every_command_says_it_is_not_configured()
    {
        const string NotConfigured = "The quarantine is not configured: MailHost:Filtering:QuarantineAccount names no account.";
        await new QuarantinedMessage("alice@example.com").PutAsync(_server, Received, _timeout.Token);

        (await RunAsync(configured: false, "quarantine", "list")).Should().Be(Failed(NotConfigured));
        (await RunAsync(configured: false, "quarantine", "release", "1")).Should().Be(Failed(NotConfigured));
        (await RunAsync(configured: false, "quarantine", "delete", "1")).Should().Be(Failed(NotConfigured));
        (await QuarantinedMessage.ReadMailboxAsync(_server, QuarantinedMessage.Account, QuarantinedMessage.Mailbox, _timeout.Token)).Should().ContainSingle();
    }

    [Theory]
    [InlineData(new[] { "quarantine" }, "error: missing quarantine command (list, release, delete)")]
    [InlineData(new[] { "quarantine", "purge" }, "error: unknown quarantine command purge")]
    [InlineData(new[] { "quarantine", "release" }, "error: missing argument")]
    [InlineData(new[] { "quarantine", "delete", "1", "2" }, "error: unexpected argument 2")]
    [InlineData(new[] { "quarantine", "release", "abc" }, "error: quarantine release: a UID is a whole number from 1 (see quarantine list), not abc")]
    [InlineData(new[] { "quarantine", "delete", "0" }, "error: quarantine delete: a UID is a whole number from 1 (see quarantine list), not 0")]
    [InlineData(new[] { "quarantine", "list", "--limit", "0" }, "error: quarantine list: --limit is a whole number from 1 to 1000")]
    [InlineData(new[] { "quarantine", "list", "--limit=lots" }, "error: quarantine list: --limit is a whole number from 1 to 1000")]
    [InlineData(new[] { "quarantine", "release", "1", "--limit", "5" }, "error: unknown option --limit")]
    public async Task Usage_errors_exit_1_with_usage_on_stderr(string[] args, string expected)
    {
        var result = await RunAsync(args);

        result.ExitCode.Should().Be(1);
        result.Out.Should().BeEmpty();
        result.Err.Should().StartWith(expected + "\n").And.Contain("quarantine release <uid>");
    }

    [Fact]
    public async Task Help_lists_the_quarantine_commands()
    {
        var help = await RunAsync("quarantine", "--help");

        help.ExitCode.Should().Be(0);
        help.Out.Should().Contain("quarantine list [--limit <n>]").And.Contain("quarantine release <uid>").And.Contain("quarantine delete <uid>");
    }

    /// <summary>The lines of a table, its columns (two spaces or more apart) joined by " | ".</summary>
    private static List<string> Columns(string table)
        => [.. table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => Gap().Replace(l, " | "))];

    [GeneratedRegex(" {2,}")]
    private static partial Regex Gap();

    private async Task<SqliteAccountDirectory> OpenDirectoryAsync() => await SqliteAccountDirectory.OpenAsync(DatabasePath, null, _timeout.Token);

    private static CliResult Ok(string line) => new(0, line + "\n", string.Empty);

    private static CliResult Failed(string message) => new(2, string.Empty, "error: " + message + "\n");

    private Task<CliResult> RunAsync(params string[] args) => RunAsync(configured: true, args);

    private async Task<CliResult> RunAsync(bool configured, params string[] args)
    {
        var settings = new Dictionary<string, string?>
        {
            ["MailHost:DataDirectory"] = _dataDirectory,
            ["MailHost:Auth:PasswordIterations"] = "4096",
        };
        if (configured)
        {
            settings["MailHost:Filtering:QuarantineAccount"] = QuarantinedMessage.Account;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var exitCode = await AdminCli.RunAsync(args, configuration, output, error, new StringReader(string.Empty), _timeout.Token).WaitAsync(TimeSpan.FromSeconds(30));
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    private sealed record CliResult(int ExitCode, string Out, string Err);
}
