using System.Diagnostics;
using System.Net;
using MailHost.Accounts.Sql;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Outbound;
using MailHost.Server.Admin;
using MailHost.TestSupport;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace MailHost.IntegrationTests.Cluster;

/// <summary>
/// Two real hosts (<c>MailHost:Store:Provider=Postgres</c>) on one PostgreSQL database, each with its own data
/// directory, as two machines behind a balancer would run: accounts made once with the admin commands serve on
/// both, and a change made through one host reaches a client of the other.
/// </summary>
public sealed class PostgresHostTests : IRequiresPostgres, IAsyncLifetime
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
    public async Task Idle_on_one_host_sees_an_append_made_through_the_other_within_a_second()
    {
        await AdminAsync("domains", "add", "example.com");
        await AdminAsync("users", "add", "alice", "--address", "alice@example.com", "--password", "alice-pw");
        var a = await StartHostAsync("a.example.com");
        var b = await StartHostAsync("b.example.com");

        using var watcher = await LoginAsync(b);
        var inbox = watcher.Inbox;
        await inbox.OpenAsync(FolderAccess.ReadOnly);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        inbox.CountChanged += (_, _) => arrived.TrySetResult();
        using var stopIdle = new CancellationTokenSource();
        var idle = watcher.IdleAsync(stopIdle.Token);

        using var writer = await LoginAsync(a);
        var clock = Stopwatch.StartNew();
        await writer.Inbox.AppendAsync(new AppendRequest(Message("through host a")));
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var latency = clock.Elapsed;

        await stopIdle.CancelAsync();
        await idle;
        latency.Should().BeLessThan(TimeSpan.FromSeconds(1), "PostgreSQL NOTIFY reaches the other host's IDLE session at once");
        var fetched = await inbox.FetchAsync(0, -1, MessageSummaryItems.Envelope);
        fetched.Should().ContainSingle().Which.Envelope!.Subject.Should().Be("through host a");
    }

    [StoreFact]
    public async Task A_login_on_either_host_lands_in_the_one_shared_history_with_the_client_address()
    {
        await AdminAsync("domains", "add", "example.com");
        await AdminAsync("users", "add", "alice", "--address", "alice@example.com", "--password", "alice-pw");
        var a = await StartHostAsync("a.example.com");
        var b = await StartHostAsync("b.example.com");

        using (await LoginAsync(a))
        using (await LoginAsync(b))
        {
        }

        var directory = b.Services.GetRequiredService<SqlAccountDirectory>();
        var history = await directory.GetRecentLoginsAsync("alice", 10, default);
        history.Should().HaveCount(2);
        history.Should().OnlyContain(l => l.RemoteEndPoint != null && IPAddress.IsLoopback(l.RemoteEndPoint.Address));
        (await AdminAsync("users", "show", "alice")).Should().Contain("IMAP");
    }

    [StoreFact]
    public async Task Mail_accepted_by_one_host_is_read_through_the_other()
    {
        await AdminAsync("domains", "add", "example.com");
        await AdminAsync("users", "add", "alice", "--address", "alice@example.com", "--password", "alice-pw");
        var a = await StartHostAsync("a.example.com");
        var b = await StartHostAsync("b.example.com");

        using (var smtp = new MailKit.Net.Smtp.SmtpClient { Timeout = 15_000 })
        {
            await smtp.ConnectAsync(a.Mx.Address.ToString(), a.Mx.Port, SecureSocketOptions.None);
            await smtp.SendAsync(Message("over SMTP to host a"));
            await smtp.DisconnectAsync(quit: true);
        }

        using var reader = await LoginAsync(b);
        await reader.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var message = await reader.Inbox.GetMessageAsync(0);
        message.Subject.Should().Be("over SMTP to host a", "the 250 of host a meant stored in the shared database");
        message.TextBody.Should().Contain("Hello from the other host.");
    }

    private async Task<MailHostInstance> StartHostAsync(string hostname)
    {
        var data = await MailHostInstance.PrepareAsync([]);
        var host = await MailHostInstance.StartAsync(
            data,
            hostname,
            "--MailHost:Store:Provider=Postgres",
            "--ConnectionStrings:MailHost=" + _database,
            "--MailHost:Endpoints:Imaps:Url=imaps://127.0.0.1:0");
        _hosts.Add(host);
        return host;
    }

    private static async Task<ImapClient> LoginAsync(MailHostInstance host)
    {
        var endpoint = host.Endpoint("Imaps");
        var client = new ImapClient { ServerCertificateValidationCallback = TestCertificate.Validate, Timeout = 15_000 };
        await client.ConnectAsync(endpoint.Address.ToString(), endpoint.Port, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("alice", "alice-pw");
        return client;
    }

    private async Task<string> AdminAsync(params string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["MailHost:Store:Provider"] = "Postgres",
                ["ConnectionStrings:MailHost"] = _database,
                ["MailHost:Auth:PasswordIterations"] = "4096",
            })
            .Build();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await AdminCli.RunAsync(args, configuration, output, error, new StringReader(string.Empty), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        exit.Should().Be(AdminCli.ExitSuccess, error.ToString());
        return output.ToString();
    }

    private static MimeMessage Message(string subject)
    {
        return new MimeMessage(
            [new MailboxAddress("Bob", "bob@example.org")],
            [new MailboxAddress("Alice", "alice@example.com")],
            subject,
            new TextPart("plain") { Text = "Hello from the other host." })
        {
            Date = new DateTimeOffset(2026, 12, 6, 9, 0, 0, TimeSpan.Zero),
        };
    }
}
