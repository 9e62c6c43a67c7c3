using System.Text;
using MailHost.Accounts;
using MailHost.Delivery;
using MailHost.Delivery.Queue;
using MailHost.Protocols.Smtp;
using MailHost.Server.Admin;
using MailHost.Storage.Sqlite;
using MailHost.Storage.Sqlite.Accounts;
using MailHost.Storage.Sqlite.Queue;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace MailHost.IntegrationTests.Admin;

/// <summary><c>mailhost queue ...</c> over a real queue.db filled through the queue store, which stays open meanwhile as a running server's would.</summary>
public sealed class AdminCliQueueTests : IAsyncLifetime
{
    private const string Content = "From: alice@example.com\r\nSubject: queued\r\n\r\nHello.\r\n";
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "mailhost-admin-queue-" + Guid.NewGuid().ToString("N"));
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    // Two and a half hours ago (and 30 s), so that ages print as 2h30m however long the test takes.
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow - new TimeSpan(2, 30, 30));
    private SqliteOutboundQueueStore? _server;

    private string QueuePath => Path.Combine(_dataDirectory, SqliteOutboundQueueStore.DatabaseFileName);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (File.Exists(QueuePath))
        {
            using var connection = new SqliteConnection(SqliteDatabase.ConnectionString(QueuePath));
            SqliteConnection.ClearPool(connection);
        }

        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }

        _timeout.Dispose();
    }

    [Fact]
    public void IsAdminCommand_accepts_queue() => AdminCli.IsAdminCommand(["queue", "list"]).Should().BeTrue();

    [Fact]
    public async Task List_show_retry_and_remove_work_on_a_queue_in_use()
    {
        var (first, second) = await PopulateAsync();

        var list = await RunAsync("queue", "list");
        list.ExitCode.Should().Be(0, list.Err);
        var lines = list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(3);
        lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Should().Equal("ID", "AGE", "SENDER", "RECIPIENTS", "NEXT", "ATTEMPT", "SIZE", "LAST", "ERROR");
        lines[1].Should().StartWith(first + "  2h30m  alice@example.com  3 (1 pending, 1 delivered, 1 failed)  ")
            .And.Contain("  " + Content.Length + "  ")
            .And.EndWith("550 5.1.1 No such user", "the latest failure is shown");
        lines[2].Should().StartWith(second + "  2h28m  <>  ").And.Contain("  1 (1 pending)  ").And.EndWith("  -", "nothing has failed yet");
        list.Out.Should().NotContain("\u001b");

        var show = await RunAsync("queue", "show", first);
        show.ExitCode.Should().Be(0, show.Err);
        show.Err.Should().BeEmpty();
        show.Out.Should().StartWith($"Message:      {first}\nSender:       alice@example.com\nAccount:      alice\n")
            .And.Contain("(2h30m ago)")
            .And.Contain("Size:         " + Content.Length + " octets\n")
            .And.Contain("Parameters:   BODY=8BITMIME RET=HDRS ENVID=ENV-42\n")
            .And.Contain("Lease:        none\n");
        var recipients = show.Out[show.Out.IndexOf("Recipients:\n", StringComparison.Ordinal)..];
        recipients.Should().Be(
            "Recipients:\n" +
            "  bob@remote.example\n" +
            "    State:        delivered\n" +
            "    Attempts:     1\n" +
            $"    Last attempt: {AdminText.Time(_start)}\n" +
            "    Last reply:   250 2.0.0 OK\n" +
            "    Remote MTA:   mx.remote.example\n" +
            "    Next attempt: -\n" +
            "    Expires:      -\n" +
            "    DSN:          NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@remote.example\n" +
            "  carol@other.example\n" +
            "    State:        pending\n" +
            "    Attempts:     1\n" +
            $"    Last attempt: {AdminText.Time(_start)}\n" +
            "    Last reply:   451 4.4.1 Connection refused \\u001B[2J\n" +
            "    Remote MTA:   -\n" +
            $"    Next attempt: {AdminText.Time(_start.AddMinutes(10))}\n" +
            $"    Expires:      {AdminText.Time(_start.AddDays(5))}\n" +
            "    DSN:          -\n" +
            "  dave@remote.example\n" +
            "    State:        failed (notification not yet sent)\n" +
            "    Attempts:     1\n" +
            $"    Last attempt: {AdminText.Time(_start.AddMinutes(1))}\n" +
            "    Last reply:   550 5.1.1 No such user\n" +
            "    Remote MTA:   mx.remote.example\n" +
            "    Next attempt: -\n" +
            "    Expires:      -\n" +
            "    DSN:          NOTIFY=NEVER\n");

        (await RunAsync("queue", "retry", first)).Should().Be(Ok("1 message(s) due now; a running server sends them at its next queue poll (MailHost:Outbound:PollInterval)."));
        var retried = (await _server!.GetAsync(first, _timeout.Token))!;
        retried.Recipients[1].NextAttempt.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromSeconds(30), "the pending recipient is due now");
        retried.NextAttempt.Should().BeOnOrBefore(DateTimeOffset.UtcNow);
        (await RunAsync("queue", "retry", "all")).Out.Should().StartWith("2 message(s) due now;");

        (await RunAsync("queue", "remove", second)).Should().Be(Ok($"Message {second} removed from the queue; its sender is not notified."));
        (await _server.GetAsync(second, _timeout.Token)).Should().BeNull("the store in use sees the removal");
        File.Exists(Path.Combine(_dataDirectory, "queue", second + ".eml")).Should().BeFalse();
        (await RunAsync("queue", "remove", second)).Should().Be(Failed($"There is no queued message '{second}'."));
        (await RunAsync("queue", "show", second)).Should().Be(Failed($"There is no queued message '{second}'."));
        (await RunAsync("queue", "retry", "nope\u001b[0m")).Should().Be(Failed("There is no queued message 'nope\\u001B[0m'."));
        (await RunAsync("queue", "list")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(2);
    }

    [Fact]
    public async Task Without_a_queue_database_nothing_is_queued_and_none_is_created()
    {
        (await RunAsync("queue", "list")).Should().Be(Ok("The outbound queue is empty."));
        (await RunAsync("queue", "retry", "all")).Out.Should().StartWith("0 message(s) due now;");
        (await RunAsync("queue", "show", "0123456789abcdef0123456789abcdef")).ExitCode.Should().Be(2);
        (await RunAsync("queue", "remove", "0123456789abcdef0123456789abcdef")).ExitCode.Should().Be(2);
        File.Exists(QueuePath).Should().BeFalse();
    }

    [Fact]
    public async Task An_empty_queue_says_so()
    {
        _server = await SqliteOutboundQueueStore.OpenAsync(_dataDirectory, _clock, _timeout.Token);

        (await RunAsync("queue", "list")).Should().Be(Ok("The outbound queue is empty."));
    }

    [Theory]
    [InlineData(new[] { "queue" }, "error: missing queue command (list, show, retry, remove)")]
    [InlineData(new[] { "queue", "flush" }, "error: unknown queue command flush")]
    [InlineData(new[] { "queue", "show" }, "error: missing argument")]
    [InlineData(new[] { "queue", "retry" }, "error: missing argument")]
    [InlineData(new[] { "queue", "list", "extra" }, "error: unexpected argument extra")]
    [InlineData(new[] { "queue", "remove", "a", "b" }, "error: unexpected argument b")]
    public async Task Usage_errors_exit_1_with_usage_on_stderr(string[] args, string expected)
    {
        var result = await RunAsync(args);

        result.ExitCode.Should().Be(1);
        result.Out.Should().BeEmpty();
        result.Err.Should().StartWith(expected).And.Contain("queue retry <id|all>");
        File.Exists(QueuePath).Should().BeFalse();
    }

    [Fact]
    public async Task Retry_and_remove_are_recorded_in_the_audit_log_and_refusals_are_not()
    {
        var (first, second) = await PopulateAsync();

        (await RunAsync("queue", "retry", first)).ExitCode.Should().Be(0);
        (await RunAsync("queue", "remove", second)).ExitCode.Should().Be(0);
        (await RunAsync("queue", "remove", second)).ExitCode.Should().Be(2);
        (await RunAsync("queue", "retry", "nonexistent")).ExitCode.Should().Be(2);

        var directory = await SqliteAccountDirectory.OpenAsync(Path.Combine(_dataDirectory, AdminCli.DirectoryFileName), null, _timeout.Token);
        var audit = await directory.GetAuditAsync(10, _timeout.Token);
        audit.Select(e => (e.Actor, e.Action, e.Target, e.Detail)).Should().Equal(
            ("cli:" + Environment.UserName, AuditActions.QueueRemove, second, null),
            ("cli:" + Environment.UserName, AuditActions.QueueRetry, first, "1 message(s)"));
    }

    [Fact]
    public async Task Help_lists_the_queue_commands()
    {
        var help = await RunAsync("queue", "--help");

        help.ExitCode.Should().Be(0);
        help.Out.Should().Contain("queue list").And.Contain("queue show <id>").And.Contain("queue retry <id|all>").And.Contain("queue remove <id>");
    }

    private DateTimeOffset _start;

    /// <summary>
    /// Two messages: the first with a delivered, a pending (refused connection) and a failed, unreported recipient;
    /// the second a notification (null sender) not yet tried. The store stays open, as in a running server.
    /// </summary>
    private async Task<(string First, string Second)> PopulateAsync()
    {
        _start = Truncate(_clock.GetUtcNow());
        _server = await SqliteOutboundQueueStore.OpenAsync(_dataDirectory, _clock, _timeout.Token);
        var envelope = new OutboundEnvelope(
            "alice@example.com",
            [
                new OutboundRecipient("bob@remote.example", SmtpDsnNotify.Success | SmtpDsnNotify.Failure, new SmtpOriginalRecipient("rfc822", "bob@remote.example")),
                new OutboundRecipient("carol@other.example"),
                new OutboundRecipient("dave@remote.example", SmtpDsnNotify.Never),
            ],
            "alice")
        {
            Body = SmtpBodyType.EightBitMime,
            Return = SmtpDsnReturn.Headers,
            EnvelopeId = "ENV-42",
        };
        var first = (await _server.EnqueueAsync(envelope, Stream(), _start.AddDays(5), _timeout.Token)).Value;

        // Round one: bob delivered, carol refused for now; dave not reached.
        var lease = (await _server.ClaimAsync("worker", TimeSpan.FromMinutes(5), _timeout.Token))!;
        var r = lease.Message.Recipients;
        (await _server.CompleteAsync(
            lease,
            [
                new QueueRecipientUpdate(r[0].Id, QueueRecipientState.Delivered, true, 1, _start, "250 2.0.0 OK", "mx.remote.example"),
                new QueueRecipientUpdate(r[1].Id, QueueRecipientState.Pending, false, 1, _start.AddMinutes(10), "451 4.4.1 Connection refused \u001b[2J", null),
            ],
            _timeout.Token)).IsSuccess.Should().BeTrue();

        // Round two, a minute later: dave refused for good; the notification is still to be made.
        _clock.Now = _clock.Now.AddMinutes(1);
        lease = (await _server.ClaimAsync("worker", TimeSpan.FromMinutes(5), _timeout.Token))!;
        (await _server.CompleteAsync(
            lease,
            [new QueueRecipientUpdate(r[2].Id, QueueRecipientState.Failed, false, 1, _start.AddMinutes(6), "550 5.1.1 No such user", "mx.remote.example")],
            _timeout.Token)).IsSuccess.Should().BeTrue();

        _clock.Now = _clock.Now.AddMinutes(1);
        var second = (await _server.EnqueueAsync(new OutboundEnvelope(null, [new OutboundRecipient("x@remote.example")], "alice"), Stream(), _clock.Now.AddDays(5), _timeout.Token)).Value;
        return (first, second);
    }

    private static MemoryStream Stream() => new(Encoding.ASCII.GetBytes(Content));

    // The queue keeps milliseconds; the admin prints seconds.
    private static DateTimeOffset Truncate(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());

    private static CliResult Ok(string line) => new(0, line + "\n", string.Empty);

    private static CliResult Failed(string message) => new(2, string.Empty, "error: " + message + "\n");

    private async Task<CliResult> RunAsync(params string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["MailHost:DataDirectory"] = _dataDirectory })
            .Build();
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var exitCode = await AdminCli.RunAsync(args, configuration, output, error, new StringReader(string.Empty), _timeout.Token).WaitAsync(TimeSpan.FromSeconds(30));
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    private sealed record CliResult(int ExitCode, string Out, string Err);

    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
