using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Outbound;
using MailHost.TestSupport;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;
using Xunit.Abstractions;

namespace MailHost.IntegrationTests.Cluster;

/// <summary>
/// A host killed with SIGKILL while it serves, beside another host on the same PostgreSQL database: the POP3 lock it
/// held is freed, nothing it acknowledged is lost, and the other host goes on serving. The killed host is the real
/// <c>mailhost</c> executable in a process of its own.
/// </summary>
public sealed partial class PostgresHostCrashTests(ITestOutputHelper output) : IRequiresPostgres, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly List<MailHostInstance> _hosts = [];
    private readonly List<TempDirectory> _directories = [];
    private Process? _child;
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
        if (_child is { HasExited: false })
        {
            _child.Kill(entireProcessTree: true);
            await _child.WaitForExitAsync();
        }

        _child?.Dispose();
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        foreach (var directory in _directories)
        {
            directory.Dispose();
        }

        if (_database.Length > 0)
        {
            await PostgresTestServer.DropDatabaseAsync(_database);
        }
    }

    [StoreFact]
    public async Task The_pop3_lock_holds_across_hosts_and_is_freed_when_its_host_is_killed()
    {
        await CreateAliceAsync();
        var (killed, endpoints) = await StartChildHostAsync();
        var survivor = await StartHostAsync("b.example.com");

        await using var holder = await Pop3LoginAsync(endpoints["Pop3"]);
        (await holder.ReadLineAsync()).Should().StartWith("+OK", "the first session takes the maildrop");
        await using (var second = await Pop3LoginAsync(survivor.Endpoint("Pop3")))
        {
            (await second.ReadLineAsync()).Should().Be("-ERR [IN-USE] Mailbox is locked by another POP3 session", "RFC 1939 §8 across hosts");
        }

        killed.Kill(entireProcessTree: true);
        await killed.WaitForExitAsync().WaitAsync(Timeout);

        // PostgreSQL ends the dead host's sessions as soon as their sockets close, and its locks with them.
        string? reply = null;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Timeout)
        {
            await using var retry = await Pop3LoginAsync(survivor.Endpoint("Pop3"));
            reply = await retry.ReadLineAsync();
            if (reply?.StartsWith("+OK", StringComparison.Ordinal) == true)
            {
                break;
            }

            await Task.Delay(200);
        }

        reply.Should().StartWith("+OK", "the killed host's lock is gone");
    }

    [StoreFact]
    public async Task Killing_a_host_during_appends_and_smtp_deliveries_loses_nothing_it_acknowledged_and_the_other_host_serves_on()
    {
        await CreateAliceAsync();
        var (killed, endpoints) = await StartChildHostAsync();
        var survivor = await StartHostAsync("b.example.com");

        var acknowledged = new List<string>();
        using var writer = new ImapClient { Timeout = 15_000 };
        await writer.ConnectAsync(endpoints["Imap"].Address.ToString(), endpoints["Imap"].Port, SecureSocketOptions.None);
        await writer.AuthenticateAsync("alice", "alice-pw");
        var appending = Task.Run(async () =>
        {
            for (var i = 0; ; i++)
            {
                var subject = string.Create(CultureInfo.InvariantCulture, $"message {i}");
                await writer.Inbox.AppendAsync(new AppendRequest(Message(subject)));
                lock (acknowledged)
                {
                    acknowledged.Add(subject);
                }
            }
        });

        using var sender = new MailKit.Net.Smtp.SmtpClient { Timeout = 15_000 };
        await sender.ConnectAsync(endpoints["Mx"].Address.ToString(), endpoints["Mx"].Port, SecureSocketOptions.None);
        var delivering = Task.Run(async () =>
        {
            for (var i = 0; ; i++)
            {
                var subject = string.Create(CultureInfo.InvariantCulture, $"mail {i}");
                await sender.SendAsync(Message(subject));
                lock (acknowledged)
                {
                    acknowledged.Add(subject);
                }
            }
        });

        // Kill it while appends and deliveries are in flight, after some of each were acknowledged (OK, 250).
        var clock = Stopwatch.StartNew();
        while ((Snapshot(acknowledged).Count(s => s.StartsWith("message", StringComparison.Ordinal)) < 10 || Snapshot(acknowledged).Count(s => s.StartsWith("mail", StringComparison.Ordinal)) < 10)
            && clock.Elapsed < Timeout && !appending.IsCompleted && !delivering.IsCompleted)
        {
            await Task.Delay(10);
        }

        killed.Kill(entireProcessTree: true);
        await killed.WaitForExitAsync().WaitAsync(Timeout);
        (await appending.ContinueWith(t => t.Exception).WaitAsync(Timeout)).Should().NotBeNull("the connection died with its host");
        (await delivering.ContinueWith(t => t.Exception).WaitAsync(Timeout)).Should().NotBeNull("the connection died with its host");

        using var reader = new ImapClient { Timeout = 15_000 };
        await reader.ConnectAsync(survivor.Endpoint("Imap").Address.ToString(), survivor.Endpoint("Imap").Port, SecureSocketOptions.None);
        await reader.AuthenticateAsync("alice", "alice-pw");
        await reader.Inbox.OpenAsync(FolderAccess.ReadWrite);
        var stored = (await reader.Inbox.FetchAsync(0, -1, MessageSummaryItems.Envelope)).Select(m => m.Envelope!.Subject).ToHashSet();
        output.WriteLine($"{Count(acknowledged)} acknowledged, {stored.Count} stored");
        Count(acknowledged).Should().BeGreaterThanOrEqualTo(20);
        stored.Should().Contain(s => s.StartsWith("mail", StringComparison.Ordinal)).And.Contain(s => s.StartsWith("message", StringComparison.Ordinal));
        stored.Should().Contain(Snapshot(acknowledged), "an OK to APPEND means stored in the shared database");

        // The survivor still takes new mail.
        await reader.Inbox.AppendAsync(new AppendRequest(Message("after the crash")));
        (await reader.Inbox.SearchAsync(MailKit.Search.SearchQuery.SubjectContains("after the crash"))).Should().ContainSingle();
    }

    private static int Count(List<string> list)
    {
        lock (list)
        {
            return list.Count;
        }
    }

    private static List<string> Snapshot(List<string> list)
    {
        lock (list)
        {
            return [.. list];
        }
    }

    private async Task CreateAliceAsync()
    {
        await AdminAsync("domains", "add", "example.com");
        await AdminAsync("users", "add", "alice", "--address", "alice@example.com", "--password", "alice-pw");
    }

    private static async Task<LineClient> Pop3LoginAsync(IPEndPoint endpoint)
    {
        var client = await LineClient.ConnectAsync(endpoint);
        (await client.ReadLineAsync()).Should().StartWith("+OK");
        await client.SendAsync("USER alice\r\n");
        (await client.ReadLineAsync()).Should().StartWith("+OK");
        await client.SendAsync("PASS alice-pw\r\n");
        return client;
    }

    /// <summary>Starts the real <c>mailhost</c> executable (the one beside this test) on the shared database and reads its endpoints from its log.</summary>
    private async Task<(Process Process, Dictionary<string, IPEndPoint> Endpoints)> StartChildHostAsync()
    {
        var data = new TempDirectory();
        _directories.Add(data);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mailhost.dll"));
        foreach (var argument in HostArguments(data.Path, "a.example.com"))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        _child = Process.Start(start)!;
        var endpoints = new Dictionary<string, IPEndPoint>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        while (endpoints.Count < 3 && clock.Elapsed < Timeout)
        {
            var line = await _child.StandardOutput.ReadLineAsync().WaitAsync(Timeout);
            if (line is null)
            {
                break;
            }

            output.WriteLine(line);
            if (ListeningLine().Match(line) is { Success: true } match)
            {
                endpoints[match.Groups["name"].Value] = IPEndPoint.Parse(match.Groups["address"].Value);
            }
        }

        if (endpoints.Count < 3)
        {
            // A child that did not start says why on its standard error (read only then: a running child's never ends).
            endpoints.Should().ContainKeys(["Imap", "Pop3", "Mx"], await ErrorsAsync(_child));
        }

        _ = DrainAsync(_child.StandardOutput);
        _ = DrainAsync(_child.StandardError);
        return (_child, endpoints);
    }

    private static async Task<string> ErrorsAsync(Process child)
    {
        try
        {
            return await child.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            return string.Empty;
        }
    }

    private async Task<MailHostInstance> StartHostAsync(string hostname)
    {
        var data = await MailHostInstance.PrepareAsync([]);
        var host = await MailHostInstance.StartAsync(data, hostname, HostArguments(data.Path, hostname)[2..]);
        _hosts.Add(host);
        return host;
    }

    private string[] HostArguments(string dataDirectory, string hostname) =>
    [
        "--contentRoot=" + dataDirectory,
        "--MailHost:DataDirectory=" + dataDirectory,
        "--MailHost:Hostname=" + hostname,
        "--MailHost:Store:Provider=Postgres",
        "--ConnectionStrings:MailHost=" + _database,
        "--MailHost:Auth:AllowPlaintextAuthentication=true",
        "--MailHost:Auth:Throttle:Enabled=false",
        "--MailHost:Endpoints:Imap:Url=imap://127.0.0.1:0",
        "--MailHost:Endpoints:Pop3:Url=pop3://127.0.0.1:0",
        "--MailHost:Endpoints:Mx:Url=smtp://127.0.0.1:0",
    ];

    private static async Task DrainAsync(StreamReader reader)
    {
        try
        {
            while (await reader.ReadLineAsync() is not null)
            {
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The child is gone and its pipe with it: nothing left to read.
        }
    }

    private Task AdminAsync(params string[] args) => PostgresSiteAdmin.RunAsync(_database, args);

    private static MimeMessage Message(string subject) => new(
        [new MailboxAddress("Bob", "bob@example.org")],
        [new MailboxAddress("Alice", "alice@example.com")],
        subject,
        new TextPart("plain") { Text = "Written while a host dies." });

    [GeneratedRegex(@"Listening: (?<name>\w+) \w+ on (?<address>127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
