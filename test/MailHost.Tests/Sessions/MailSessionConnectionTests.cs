using System.Buffers;
using System.Text;
using MailHost.Connections;
using MailHost.Hosting;
using MailHost.Sessions;
using MailHost.Tests.Logins;
using Microsoft.AspNetCore.Connections;

namespace MailHost.Tests.Sessions;

/// <summary>
/// The connection mechanics IMAP, POP3 and SMTP share, on in-memory pipes: the read that answers buffered input at
/// once and flushes before it waits, the ends of a wait, STARTTLS, the HTTP guard, the bad-command budget, the trace.
/// </summary>
public sealed class MailSessionConnectionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Buffered_input_comes_back_at_once_and_the_replies_so_far_wait_for_the_batch()
    {
        await using var test = new SessionHarness();
        await test.ClientSendsAsync("NOOP\r\nNOOP\r\n");
        test.Session.Output.Write("250 OK\r\n"u8);

        var (status, result) = await test.Session.ReadAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);

        status.Should().Be(MailReadStatus.Ready);
        Encoding.ASCII.GetString(result.Buffer.ToArray()).Should().Be("NOOP\r\nNOOP\r\n");
        test.ClientHasReceived().Should().BeEmpty("pipelined commands are answered in one batch (RFC 2920 §3.2)");
    }

    [Fact]
    public async Task A_read_that_must_wait_flushes_the_replies_first()
    {
        await using var test = new SessionHarness();
        test.Session.Output.Write("250 OK\r\n"u8);

        var read = test.Session.ReadAsync(CancellationToken.None).AsTask();

        (await test.ClientReadsAsync()).Should().Be("250 OK\r\n");
        read.IsCompleted.Should().BeFalse();
        await test.ClientSendsAsync("QUIT\r\n");
        var (status, result) = await read.WaitAsync(Timeout);
        status.Should().Be(MailReadStatus.Ready);
        Encoding.ASCII.GetString(result.Buffer.ToArray()).Should().Be("QUIT\r\n");
    }

    [Fact]
    public async Task Replies_past_the_threshold_go_out_before_buffered_input_is_taken()
    {
        await using var test = new SessionHarness();
        await test.ClientSendsAsync("NOOP\r\n");
        test.Session.Output.Write(new byte[MailOutputFlusher.FlushThreshold]);

        await test.Session.ReadAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);

        test.ClientHasReceived().Should().HaveCount(MailOutputFlusher.FlushThreshold);
    }

    [Fact]
    public async Task The_deadline_of_a_unit_ends_the_wait_as_timed_out()
    {
        await using var test = new SessionHarness();
        using var deadline = test.Session.StartDeadline(TimeSpan.FromMinutes(1));
        var read = test.Session.ReadAsync(deadline.Token).AsTask();

        test.Time.Advance(TimeSpan.FromSeconds(59));
        read.IsCompleted.Should().BeFalse();
        test.Time.Advance(TimeSpan.FromSeconds(1));

        (await read.WaitAsync(Timeout)).Status.Should().Be(MailReadStatus.TimedOut);
        deadline.IsExpired.Should().BeTrue();
    }

    [Fact]
    public async Task The_host_stopping_ends_the_wait_and_refuses_the_greeting()
    {
        await using var test = new SessionHarness();
        test.Session.IsStopping.Should().BeFalse();
        using var deadline = test.Session.StartDeadline(TimeSpan.FromMinutes(1));
        var read = test.Session.ReadAsync(deadline.Token).AsTask();

        await test.Stopping.CancelAsync();

        (await read.WaitAsync(Timeout)).Status.Should().Be(MailReadStatus.Stopping);
        test.Session.IsStopping.Should().BeTrue("a session not yet greeted says goodbye instead");
    }

    [Fact]
    public async Task The_session_time_limit_ends_a_wait_until_it_is_lifted()
    {
        await using var test = new SessionHarness();
        test.Session.LimitSessionTime(TimeSpan.FromMinutes(5));
        using (var deadline = test.Session.StartDeadline(TimeSpan.FromMinutes(10)))
        {
            var read = test.Session.ReadAsync(deadline.Token).AsTask();
            test.Time.Advance(TimeSpan.FromMinutes(5));
            (await read.WaitAsync(Timeout)).Status.Should().Be(MailReadStatus.SessionExpired);
        }

        await using var lifted = new SessionHarness();
        lifted.Session.LimitSessionTime(TimeSpan.FromMinutes(5));
        lifted.Session.LiftSessionTimeLimit();
        using var next = lifted.Session.StartDeadline(TimeSpan.FromMinutes(10));
        var wait = lifted.Session.ReadAsync(next.Token).AsTask();
        lifted.Time.Advance(TimeSpan.FromMinutes(5));
        wait.IsCompleted.Should().BeFalse();
        lifted.Time.Advance(TimeSpan.FromMinutes(5));
        (await wait.WaitAsync(Timeout)).Status.Should().Be(MailReadStatus.TimedOut);
    }

    [Fact]
    public async Task The_end_of_input_is_handed_over_and_then_closes_the_session()
    {
        await using var test = new SessionHarness();
        await test.ClientSendsAsync("NO");
        await test.ToServer.Writer.CompleteAsync();

        var (status, result) = await test.Session.ReadAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);

        status.Should().Be(MailReadStatus.Ready);
        result.IsCompleted.Should().BeTrue();
        test.Session.ContinueAfterIncomplete(result, result.Buffer.Start).Should().BeFalse();
    }

    [Fact]
    public async Task After_incomplete_input_the_next_read_waits_for_new_bytes()
    {
        await using var test = new SessionHarness();
        await test.ClientSendsAsync("NO");
        var (_, first) = await test.Session.ReadAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);

        test.Session.ContinueAfterIncomplete(first, first.Buffer.Start).Should().BeTrue();
        var next = test.Session.ReadAsync(CancellationToken.None).AsTask();
        next.IsCompleted.Should().BeFalse();
        await test.ClientSendsAsync("OP\r\n");

        var (_, result) = await next.WaitAsync(Timeout);
        Encoding.ASCII.GetString(result.Buffer.ToArray()).Should().Be("NOOP\r\n");
    }

    [Fact]
    public async Task The_read_on_layered_pipes_throws_when_its_token_ends_the_wait()
    {
        await using var test = new SessionHarness();
        using var cancel = new CancellationTokenSource();
        var read = test.Session.ReadAsync(test.Session.Input, test.Session.Output, waitForNewInput: false, cancel.Token).AsTask();

        await cancel.CancelAsync();

        await read.Invoking(r => r.WaitAsync(Timeout)).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Bad_commands_close_the_session_at_the_limit_and_forgiving_starts_the_count_over()
    {
        await using var test = new SessionHarness();

        test.Session.CountBadCommand(3).Should().BeFalse();
        test.Session.CountBadCommand(3).Should().BeFalse();
        test.Session.ForgiveBadCommands();
        test.Session.CountBadCommand(3).Should().BeFalse();
        test.Session.CountBadCommand(3).Should().BeFalse();
        test.Session.CountBadCommand(3).Should().BeTrue();
    }

    [Fact]
    public async Task Only_the_first_command_is_checked_for_http()
    {
        await using var first = new SessionHarness();
        first.Session.IsHttpFirstCommand(isHttpRequest: true).Should().BeTrue();

        await using var later = new SessionHarness();
        later.Session.IsHttpFirstCommand(isHttpRequest: false).Should().BeFalse();
        later.Session.IsHttpFirstCommand(isHttpRequest: true).Should().BeFalse("after a mail command it is just an unknown command");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task After_starttls_the_session_reads_only_the_new_transport(bool checkHttpAgain)
    {
        await using var test = new SessionHarness();
        test.Session.IsHttpFirstCommand(isHttpRequest: false);
        test.Session.TraceCommandPart(new ReadOnlySequence<byte>("A1 LOGIN {5}\r\n"u8.ToArray()), 0, commandEnded: false);
        await test.ClientSendsAsync("injected\r\n");
        var (_, before) = await test.Session.ReadAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);
        test.Session.ContinueAfterIncomplete(before, before.Buffer.Start);

        var outcome = await test.Session.StartTlsAsync(
            async () =>
            {
                test.Session.Output.Write("220 Ready\r\n"u8);
                await test.Session.FlushAsync();
            },
            checkHttpAgain).AsTask().WaitAsync(Timeout);

        outcome.Should().Be(StartTlsOutcome.Started);
        (await test.ClientReadsAsync()).Should().Be("220 Ready\r\n");
        await test.Tls.ClientSendsAsync("EHLO inside\r\n");
        var (_, after) = await test.Session.ReadAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);
        Encoding.ASCII.GetString(after.Buffer.ToArray()).Should().Be("EHLO inside\r\n", "nothing sent before the handshake is read (SECURITY A1)");
        test.Session.IsHttpFirstCommand(isHttpRequest: true).Should().Be(checkHttpAgain);
        test.Session.FlushCommandTrace();
        test.Loggers.Lines.Should().NotContain(l => l.Contains("LOGIN", StringComparison.Ordinal), "a command half read before TLS is forgotten");
    }

    [Fact]
    public async Task A_failed_starttls_keeps_the_transport()
    {
        await using var test = new SessionHarness();
        test.Tls.Outcome = StartTlsOutcome.Unavailable;
        var input = test.Session.Input;

        (await test.Session.StartTlsAsync(() => ValueTask.CompletedTask, checkHttpAgain: true)).Should().Be(StartTlsOutcome.Unavailable);

        test.Session.Input.Should().BeSameAs(input);
    }

    [Fact]
    public async Task A_command_read_in_parts_is_traced_whole_and_refused_literal_bytes_only_counted()
    {
        await using var test = new SessionHarness();

        test.Session.TraceCommandPart(new ReadOnlySequence<byte>("A1 APPEND INBOX {3}\r\n"u8.ToArray()), 0, commandEnded: false);
        test.Loggers.Lines.Should().BeEmpty("a command is traced at its end");
        test.Session.TraceCommandPart(new ReadOnlySequence<byte>("abc\r\n"u8.ToArray()), 0, commandEnded: true);
        test.Session.TraceCommandPart(new ReadOnlySequence<byte>("12345A2 NOOP\r\n"u8.ToArray()), 5, commandEnded: true);

        test.Loggers.Lines.Should().HaveCount(4);
        test.Loggers.Lines[0].Should().EndWith("C: A1 APPEND INBOX {3}");
        test.Loggers.Lines[1].Should().EndWith("C: abc");
        test.Loggers.Lines[2].Should().EndWith("C: <refused literal, discarded, 5 bytes>");
        test.Loggers.Lines[3].Should().EndWith("C: A2 NOOP");
    }

    [Fact]
    public async Task An_smtp_session_traces_under_its_endpoints_protocol()
    {
        await using var test = new SessionHarness(MailProtocol.Smtp, MailProtocol.Submission);

        test.Session.Trace.Sent("220 ready"u8);

        test.Loggers.Categories.Should().Contain("MailHost.Trace.Submission");
    }

    [Fact]
    public void A_connection_outside_the_mail_pipeline_is_refused_naming_the_protocol()
    {
        var context = new DefaultConnectionContext("c1");
        var settings = SessionHarness.Settings(MailProtocol.Pop3, new FakeTimeProvider(), new TraceLoggers());

        var create = () => new MailSessionConnection(context, settings, CancellationToken.None);

        create.Should().Throw<InvalidOperationException>().WithMessage("POP3 needs the MailHost connection pipeline (UseMail).");
    }
}
