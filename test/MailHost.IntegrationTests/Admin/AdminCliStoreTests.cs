using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MailHost.Accounts;
using MailHost.Delivery;
using MailHost.Server.Admin;
using MailHost.Storage;
using MailHost.Storage.Postgres.Accounts;
using MailHost.Storage.Postgres.Mail;
using MailHost.Storage.Search;
using MailHost.Storage.Sqlite.Mail;
using MailHost.Storage.Sqlite.Queue;
using MailHost.TestSupport;
using Microsoft.Extensions.Configuration;

namespace MailHost.IntegrationTests.Admin;

/// <summary><c>mailhost store migrate</c> and <c>store copy --to postgres</c> against a real PostgreSQL database.</summary>
public sealed class AdminCliStoreTests : IRequiresPostgres, IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "mailhost-store-copy-" + Guid.NewGuid().ToString("N"));
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(3));
    private string _database = string.Empty;

    public async Task InitializeAsync()
    {
        if (PostgresTestServer.SkipReason is null)
        {
            _database = await PostgresTestServer.CreateDatabaseAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_database.Length > 0)
        {
            await PostgresTestServer.DropDatabaseAsync(_database);
        }

        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }

        _timeout.Dispose();
    }

    [StoreFact]
    public async Task Migrate_prints_every_component_before_and_after()
    {
        var first = await RunAsync(postgres: true, "store", "migrate");
        first.ExitCode.Should().Be(0, first.Err);
        first.Out.Should().Contain("directory  version 0 -> 3").And.Contain("mail       version 0 -> 4").And.Contain("queue      version 0 -> 1").And.Contain("dkim       version 0 -> 1");

        var again = await RunAsync(postgres: true, "store", "migrate");
        again.Out.Should().Contain("mail       version 4 -> 4 (up to date)");
        (await RunAsync(postgres: false, "store", "migrate")).Out.Should().Contain("nothing to migrate by hand");
    }

    [StoreFact]
    public async Task Copy_moves_a_sqlite_site_with_its_uids_flags_modseqs_content_queue_and_keys_and_a_second_run_keeps_it()
    {
        (await RunAsync(postgres: false, "domains", "add", "example.com")).ExitCode.Should().Be(0);
        (await RunAsync(postgres: false, "users", "add", "alice", "--address", "alice@example.com", "--password", "alice pw")).ExitCode.Should().Be(0);
        (await RunAsync(postgres: false, "users", "add", "bob", "--address", "bob@example.com", "--password", "bob pw")).ExitCode.Should().Be(0);
        (await RunAsync(postgres: false, "users", "disable", "bob")).ExitCode.Should().Be(0);
        (await RunAsync(postgres: false, "aliases", "add", "info@example.com", "alice")).ExitCode.Should().Be(0);
        (await RunAsync(postgres: false, "users", "admin", "alice")).ExitCode.Should().Be(0);
        var apiKey = await RunAsync(postgres: false, "apikeys", "add", "provisioning");
        apiKey.ExitCode.Should().Be(0, apiKey.Err);
        var dkim = await RunAsync(postgres: false, "domains", "dkim", "example.com", "--algorithm", "ed25519");
        dkim.ExitCode.Should().Be(0, dkim.Err);

        var large = new StringBuilder("From: Carol <carol@remote.example>\r\nTo: alice@example.com\r\nSubject: big\r\nMessage-ID: <big@remote.example>\r\n\r\n");
        for (var i = 0; large.Length < 3 * 1024 * 1024; i++)
        {
            large.Append("line ").Append(i).Append(" of the large attachment text\r\n");
        }

        await using (var sqlite = new SqliteMailStore(new SqliteMailStoreOptions { DataDirectory = _dataDirectory, Maintenance = false }))
        {
            var alice = (await sqlite.OpenAccountAsync("alice", _timeout.Token)).Value;
            (await alice.CreateMailboxAsync("Projects", MailboxAttributes.None, _timeout.Token)).IsSuccess.Should().BeTrue();
            await AppendAsync(alice, "INBOX", Message("one", "zebrafish"), new AppendOptions(MessageFlags.Seen, ["$Important"]));
            await AppendAsync(alice, "INBOX", Message("two", "gone soon"), new AppendOptions(MessageFlags.Deleted));
            await AppendAsync(alice, "INBOX", Message("three", "anteater"), new AppendOptions(MessageFlags.Flagged | MessageFlags.Answered, ["custom1"]));
            await AppendAsync(alice, "INBOX", large.ToString(), new AppendOptions());
            await AppendAsync(alice, "Projects", Message("one", "zebrafish"), new AppendOptions(MessageFlags.Draft));
            await using (var inbox = (await alice.OpenMailboxAsync("INBOX", examine: false, _timeout.Token)).Value)
            {
                (await inbox.ExpungeAsync(null, _timeout.Token)).IsSuccess.Should().BeTrue();
            }

            (await alice.RenameMailboxAsync("Projects", "Archive/2026", _timeout.Token)).IsSuccess.Should().BeTrue();
            await alice.DisposeAsync();
        }

        await using (var queue = await SqliteOutboundQueueStore.OpenAsync(_dataDirectory, null, _timeout.Token))
        {
            var content = new MemoryStream(Encoding.ASCII.GetBytes(Message("outbound", "to the world")));
            (await queue.EnqueueAsync(new OutboundEnvelope("alice@example.com", [new OutboundRecipient("dave@remote.example")], "alice"), content, DateTimeOffset.UtcNow.AddDays(5), _timeout.Token)).IsSuccess.Should().BeTrue();
        }

        var expected = await DescribeAsync(new SqliteMailStore(new SqliteMailStoreOptions { DataDirectory = _dataDirectory, Maintenance = false }));
        var sqliteQueue = (await RunAsync(postgres: false, "queue", "list")).Out;

        var copy = await RunAsync(postgres: false, "store", "copy", "--to", "postgres");
        copy.ExitCode.Should().Be(0, copy.Out + copy.Err);
        // Four messages, three contents: the same message in INBOX and the renamed mailbox is stored once.
        copy.Out.Should().Contain("contents                             3 written, 0 already there").And.NotContain("MISMATCH").And.Contain("Verified and committed.");

        (await DescribeAsync(new PostgresMailStore(new PostgresMailStoreOptions { ConnectionString = _database, InstanceId = "test" }))).Should().Be(expected);
        (await RunAsync(postgres: true, "users", "list")).Out.Should().Contain("alice").And.Contain("bob");
        (await RunAsync(postgres: true, "users", "show", "bob")).Out.Should().Contain("disabled");
        (await RunAsync(postgres: true, "aliases", "list")).Out.Should().Be("info@example.com -> alice\n");
        (await RunAsync(postgres: true, "users", "show", "alice")).Out.Should().Contain("Role:      administrator");
        (await RunAsync(postgres: true, "apikeys", "list")).Out.Should().Contain("provisioning");
        var token = apiKey.Out.Split('\n').Single(l => l.StartsWith("mhk_", StringComparison.Ordinal)).Trim();
        await using (var copiedDirectory = await PostgresAccountDirectory.OpenAsync(_database, null, null, TimeProvider.System, _timeout.Token))
        {
            (await copiedDirectory.VerifyApiKeyAsync(token, _timeout.Token)).Should().NotBeNull("the key's hash is copied, so the token goes on working");
        }

        (await RunAsync(postgres: true, "audit")).Out.Should().Contain(AuditActions.AccountAdminGrant).And.Contain(AuditActions.ApiKeyCreate);
        var queueId = sqliteQueue.Split('\n')[1].Split(' ')[0];
        (await RunAsync(postgres: true, "queue", "show", queueId)).Out.Should().Contain("dave@remote.example").And.Contain("alice@example.com");
        var publicKey = System.Text.RegularExpressions.Regex.Match(dkim.Out, "p=[A-Za-z0-9+/=]+").Value;
        publicKey.Should().NotBeEmpty();
        (await RunAsync(postgres: true, "domains", "dkim", "example.com", "--show")).Out.Should().Contain(publicKey);
        (await RunAsync(postgres: true, "users", "add", "carol", "--address", "carol@example.com", "--password", "pw")).ExitCode.Should().Be(0, "the identity sequences continue after the copied ids");

        var again = await RunAsync(postgres: false, "store", "copy", "--to", "postgres");
        again.ExitCode.Should().Be(2, "a PostgreSQL host (here: users add) changed the database after the copy");
        again.Err.Should().Contain("has changed since the copy");
    }

    [StoreFact]
    public async Task A_second_copy_changes_nothing_and_verifies_again()
    {
        (await RunAsync(postgres: false, "domains", "add", "example.com")).ExitCode.Should().Be(0);
        (await RunAsync(postgres: false, "users", "add", "alice", "--address", "alice@example.com", "--password", "pw")).ExitCode.Should().Be(0);
        await using (var sqlite = new SqliteMailStore(new SqliteMailStoreOptions { DataDirectory = _dataDirectory, Maintenance = false }))
        {
            var alice = (await sqlite.OpenAccountAsync("alice", _timeout.Token)).Value;
            await AppendAsync(alice, "INBOX", Message("one", "zebrafish"), new AppendOptions(MessageFlags.Seen));
            await alice.DisposeAsync();
        }

        (await RunAsync(postgres: false, "store", "copy", "--to", "postgres")).ExitCode.Should().Be(0);
        var second = await RunAsync(postgres: false, "store", "copy", "--to", "postgres");
        second.ExitCode.Should().Be(0, second.Out + second.Err);
        second.Out.Should().Contain("Copied again").And.Contain("0 written, 1 already there").And.NotContain("MISMATCH");

        var expected = await DescribeAsync(new SqliteMailStore(new SqliteMailStoreOptions { DataDirectory = _dataDirectory, Maintenance = false }));
        (await DescribeAsync(new PostgresMailStore(new PostgresMailStoreOptions { ConnectionString = _database, InstanceId = "test" }))).Should().Be(expected);
    }

    [StoreFact]
    public async Task Copy_refuses_a_database_holding_a_site_it_did_not_copy()
    {
        (await RunAsync(postgres: false, "domains", "add", "example.com")).ExitCode.Should().Be(0);
        (await RunAsync(postgres: true, "domains", "add", "example.org")).ExitCode.Should().Be(0);
        var copy = await RunAsync(postgres: false, "store", "copy", "--to", "postgres");
        copy.ExitCode.Should().Be(2);
        copy.Err.Should().Contain("not copied from SQLite");
        (await RunAsync(postgres: true, "domains", "list")).Out.Should().Be("example.org\n");
    }

    private static string Message(string subject, string body) =>
        $"From: Carol <carol@remote.example>\r\nTo: alice@example.com\r\nSubject: {subject}\r\nMessage-ID: <{subject}@remote.example>\r\n\r\n{body}\r\n";

    private async Task AppendAsync(IMailAccount account, string mailbox, string message, AppendOptions options)
    {
        var result = await account.AppendAsync(mailbox, new MemoryStream(Encoding.ASCII.GetBytes(message)), options, _timeout.Token);
        result.IsSuccess.Should().BeTrue(result.IsSuccess ? null : result.Error.Message);
    }

    /// <summary>Everything a client would resynchronise on, as text: mailboxes, UIDs, flags, MODSEQs, content hashes, search.</summary>
    private async Task<string> DescribeAsync(IMailStore store)
    {
        var text = new StringBuilder();
        await using (store as IAsyncDisposable)
        {
            var account = (await store.OpenAccountAsync("alice", _timeout.Token)).Value;
            await using (account)
            {
                text.AppendLine("subscriptions " + string.Join(",", (await account.ListSubscriptionsAsync(_timeout.Token)).Order(StringComparer.Ordinal)));
                foreach (var mailbox in (await account.ListMailboxesAsync(_timeout.Token)).OrderBy(m => m.Name, StringComparer.Ordinal))
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"{mailbox.Name} {mailbox.Attributes}");
                    var opened = await account.OpenMailboxAsync(mailbox.Name, examine: true, _timeout.Token);
                    if (!opened.IsSuccess)
                    {
                        continue;
                    }

                    await using var view = opened.Value;
                    var s = view.Snapshot;
                    text.AppendLine(CultureInfo.InvariantCulture, $"  {s.UidValidity} {s.UidNext} {s.HighestModSeq} unseen:{s.Unseen}/{s.FirstUnseenUid} [{string.Join(",", s.Keywords)}] vanished:{string.Join(",", (await view.GetVanishedAsync(0, _timeout.Token)).Value)}");
                    await foreach (var message in view.FetchAsync(UidSet.All, FetchOptions.Default, _timeout.Token))
                    {
                        await using var bytes = (await message.Content.OpenAsync(_timeout.Token))!;
                        var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(bytes, _timeout.Token));
                        text.AppendLine(CultureInfo.InvariantCulture, $"  {message.Uid} {message.Flags} [{string.Join(",", message.Keywords)}] {message.ModSeq} {message.InternalDate:O} {message.SaveDate:O} {message.Size} {message.EmailId} {message.ThreadId} {hash}");
                    }

                    foreach (var value in new[] { "ZEBRAFISH", "anteater", "attachment", "carol" })
                    {
                        var found = (await view.SearchAsync(new TextCriterion(TextScope.Text, value), _timeout.Token)).Value;
                        text.AppendLine(CultureInfo.InvariantCulture, $"  search {value}: {string.Join(",", found.Uids)}");
                    }
                }
            }
        }

        return text.ToString();
    }

    private async Task<(int ExitCode, string Out, string Err)> RunAsync(bool postgres, params string[] args)
    {
        var settings = new Dictionary<string, string?>
        {
            ["MailHost:DataDirectory"] = _dataDirectory,
            ["MailHost:Auth:PasswordIterations"] = "4096",
            ["ConnectionStrings:MailHost"] = _database,
            ["MailHost:Store:Provider"] = postgres ? "Postgres" : "Sqlite",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await AdminCli.RunAsync(args, configuration, output, error, new StringReader(string.Empty), _timeout.Token);
        return (exitCode, output.ToString(), error.ToString());
    }
}
