using MailHost.IntegrationTests.Outbound;
using MailHost.TestSupport;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Npgsql;

namespace MailHost.IntegrationTests.Cluster;

/// <summary>
/// The database goes away while a host runs (connections cut, new ones refused): clients get temporary errors, never
/// an OK or 250 for mail that was not stored, and the host serves again by itself once the database is back.
/// </summary>
public sealed class PostgresOutageTests : IRequiresPostgres, IAsyncLifetime
{
    private readonly List<MailHostInstance> _hosts = [];
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
            await SetReachableAsync(true);
        }

        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        if (_database.Length > 0)
        {
            await PostgresTestServer.DropDatabaseAsync(_database);
        }
    }

    [StoreFact]
    public async Task While_the_database_is_away_appends_and_deliveries_fail_temporarily_and_the_host_recovers_by_itself()
    {
        await AdminAsync("domains", "add", "example.com");
        await AdminAsync("users", "add", "alice", "--address", "alice@example.com", "--password", "alice-pw");
        var data = await MailHostInstance.PrepareAsync([]);
        var host = await MailHostInstance.StartAsync(
            data,
            "mail.example.com",
            "--MailHost:Store:Provider=Postgres",
            "--ConnectionStrings:MailHost=" + _database,
            "--MailHost:Auth:AllowPlaintextAuthentication=true",
            "--MailHost:Endpoints:Imap:Url=imap://127.0.0.1:0",
            "--MailHost:Endpoints:Pop3:Url=pop3://127.0.0.1:0");
        _hosts.Add(host);
        using var imap = new ImapClient { Timeout = 30_000 };
        await imap.ConnectAsync(host.Endpoint("Imap").Address.ToString(), host.Endpoint("Imap").Port, SecureSocketOptions.None);
        await imap.AuthenticateAsync("alice", "alice-pw");

        await SetReachableAsync(false);

        var append = async () => await imap.Inbox.AppendAsync(new AppendRequest(Message("while away")));
        (await append.Should().ThrowAsync<ImapCommandException>()).Which.ResponseText.Should().NotBeNull();
        imap.IsConnected.Should().BeTrue("a store failure is an answer, not a dropped connection");
        var smtpError = await SendAsync(host, Message("mail while away"));
        smtpError.Should().NotBeNull("no 250 for mail that was not stored");
        ((int)smtpError!.StatusCode).Should().BeInRange(400, 499, "a temporary failure the sender retries");

        using (var late = new ImapClient { Timeout = 30_000 })
        {
            await late.ConnectAsync(host.Endpoint("Imap").Address.ToString(), host.Endpoint("Imap").Port, SecureSocketOptions.None);
            var login = async () => await late.AuthenticateAsync("alice", "alice-pw");
            (await login.Should().ThrowAsync<MailKit.Security.AuthenticationException>()).Which.Message.Should().Contain("Temporarily unavailable");
        }

        await using (var pop3 = await Infrastructure.LineClient.ConnectAsync(host.Endpoint("Pop3")))
        {
            (await pop3.ReadLineAsync()).Should().StartWith("+OK");
            await pop3.SendAsync("USER alice\r\n");
            (await pop3.ReadLineAsync()).Should().StartWith("+OK");
            await pop3.SendAsync("PASS alice-pw\r\n");
            (await pop3.ReadLineAsync()).Should().StartWith("-ERR [SYS/TEMP]", "a login that cannot be checked is a temporary failure (RFC 3206)");
        }

        await SetReachableAsync(true);

        await imap.Inbox.AppendAsync(new AppendRequest(Message("after")));
        (await SendAsync(host, Message("mail after"))).Should().BeNull();
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var subjects = (await imap.Inbox.FetchAsync(0, -1, MessageSummaryItems.Envelope)).Select(m => m.Envelope!.Subject).ToList();
        subjects.Should().BeEquivalentTo(["after", "mail after"], "nothing refused was stored, everything accepted was");
    }

    private static async Task<SmtpCommandException?> SendAsync(MailHostInstance host, MimeMessage message)
    {
        using var smtp = new SmtpClient { Timeout = 30_000 };
        await smtp.ConnectAsync(host.Mx.Address.ToString(), host.Mx.Port, SecureSocketOptions.None);
        try
        {
            await smtp.SendAsync(message);
            return null;
        }
        catch (SmtpCommandException ex)
        {
            return ex;
        }
    }

    /// <summary>Refuses new connections to the test database and cuts the open ones, or lets them in again.</summary>
    private async Task SetReachableAsync(bool reachable)
    {
        var name = new NpgsqlConnectionStringBuilder(_database).Database;
        await using var server = NpgsqlDataSource.Create(PostgresTestServer.ConnectionString!);
        await using (var allow = server.CreateCommand($"ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS {(reachable ? "true" : "false")}"))
        {
            await allow.ExecuteNonQueryAsync();
        }

        if (!reachable)
        {
            await using var cut = server.CreateCommand($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()");
            await cut.ExecuteNonQueryAsync();
        }
    }

    private Task AdminAsync(params string[] args) => PostgresSiteAdmin.RunAsync(_database, args);

    private static MimeMessage Message(string subject) => new(
        [new MailboxAddress("Bob", "bob@example.org")],
        [new MailboxAddress("Alice", "alice@example.com")],
        subject,
        new TextPart("plain") { Text = "During an outage." });
}
