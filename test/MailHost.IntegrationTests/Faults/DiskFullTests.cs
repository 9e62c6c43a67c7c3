using MailHost.Delivery.Queue;
using MailHost.IntegrationTests.Infrastructure;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace MailHost.IntegrationTests.Faults;

/// <summary>
/// The data directory's disk fills up under a running host (a real tmpfs of a few MiB and a filler file): at the SMTP
/// spool, at the content file of an IMAP APPEND, at SQLite's WAL write of a commit, at the outbound queue and at a POP3
/// deletion. Each time the client gets a temporary "insufficient storage" answer (SMTP 452 4.3.1, RFC 3463 §3.4;
/// IMAP NO [UNAVAILABLE], RFC 5530; POP3 -ERR [SYS/TEMP], RFC 3206), never a success; once the filler is deleted the
/// same host, without a restart, stores mail again, every message acknowledged before is intact, and no half-stored
/// message or temporary file is left.
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private readonly UnobservedTaskExceptionCounter _unobserved = new();

    public void Dispose() => _unobserved.Dispose();

    [MountFact]
    public async Task Smtp_DATA_larger_than_the_free_space_gets_452_4_3_1_and_the_same_session_delivers_once_space_is_freed()
    {
        await using var host = await StoreFaultHost.StartAsync();
        var before = StoreFaultHost.Message("before", 2_000);
        var big = StoreFaultHost.Message("big", 1024 * 1024);
        var after = StoreFaultHost.Message("after", 2_000);
        await using var smtp = await host.OpenMxAsync();
        (await StoreFaultHost.SendAsync(smtp, before)).Should().StartWith("250 ");

        // Past the SMTP spool's memory threshold the content goes to a spool file, which meets the full disk.
        host.Disk.Fill(leave: 128 * 1024);
        (await StoreFaultHost.SendAsync(smtp, big)).Should().StartWith("452 4.3.1 ");

        host.Disk.Free();
        (await StoreFaultHost.SendAsync(smtp, after)).Should().StartWith("250 ", "the session and the host go on");
        await host.InboxShouldHoldAsync(before, after);
        host.TemporaryFiles().Should().BeEmpty("the refused message's spool file is gone");
        _unobserved.CollectAndCount().Should().BeEmpty();
    }

    [MountFact]
    public async Task Imap_APPEND_whose_content_file_meets_a_full_disk_gets_NO_UNAVAILABLE_and_the_next_APPEND_works_once_space_is_freed()
    {
        await using var host = await StoreFaultHost.StartAsync();

        // Over the store's inline threshold (64 KiB): the content goes to its own file under blobs/.
        var before = StoreFaultHost.Message("before", 100_000);
        var big = StoreFaultHost.Message("big", 400_000);
        var after = StoreFaultHost.Message("after", 100_000);
        await using var imap = await host.OpenImapAsync();
        (await StoreFaultHost.AppendAsync(imap, "b", before)).Should().StartWith("b OK [APPENDUID ");

        host.Disk.Fill(leave: 64 * 1024);
        var refused = await StoreFaultHost.AppendAsync(imap, "c", big);
        refused.Should().StartWith("c NO [UNAVAILABLE] ").And.Contain("Insufficient system storage");

        host.Disk.Free();
        (await StoreFaultHost.AppendAsync(imap, "d", after)).Should().StartWith("d OK [APPENDUID ", "the session and the host go on");
        await host.InboxShouldHoldAsync(before, after);
        host.TemporaryFiles().Should().BeEmpty();
        _unobserved.CollectAndCount().Should().BeEmpty();
    }

    [MountFact]
    public async Task A_commit_whose_WAL_write_meets_a_full_disk_fails_temporarily_and_the_writer_commits_again_once_space_is_freed()
    {
        await using var host = await StoreFaultHost.StartAsync();

        // Under the inline threshold: the content goes into mail.db, so the commit's WAL write is the only file write.
        var before = StoreFaultHost.Message("before", 40_000);
        var refusedSmtp = StoreFaultHost.Message("refused-smtp", 40_000);
        var refusedImap = StoreFaultHost.Message("refused-imap", 40_000);
        var after = StoreFaultHost.Message("after", 40_000);
        (await host.SendAsync(before)).Should().StartWith("250 ");
        await using var imap = await host.OpenImapAsync();

        await host.TruncateWalAsync();
        host.Disk.Fill();
        (await host.SendAsync(refusedSmtp)).Should().StartWith("452 4.3.1 ", "SQLITE_FULL is insufficient storage");
        var appended = await StoreFaultHost.AppendAsync(imap, "b", refusedImap);
        appended.Should().StartWith("b NO [UNAVAILABLE] ").And.Contain("Insufficient system storage");

        // The single writer survived the failed transactions: its connection is not left inside a dead one.
        host.Disk.Free();
        (await host.SendAsync(after)).Should().StartWith("250 ");
        (await StoreFaultHost.AppendAsync(imap, "c", refusedImap)).Should().StartWith("c OK [APPENDUID ");
        await host.InboxShouldHoldAsync(before, after, refusedImap);
        host.TemporaryFiles().Should().BeEmpty();
        _unobserved.CollectAndCount().Should().BeEmpty();
    }

    [MountFact]
    public async Task Submission_to_a_remote_recipient_whose_queue_file_meets_a_full_disk_gets_452_and_queues_again_once_space_is_freed()
    {
        // The queue's worker sends to a smart host on a loopback port where nothing listens: every attempt is a
        // deferral, so the messages stay queued and the counts below are the queue's alone (with the MX route, a
        // lookup of the remote domain could bounce one away while the test counts).
        await using var host = await StoreFaultHost.StartAsync(
            24,
            "--MailHost:Outbound:SmartHost:Host=127.0.0.1",
            "--MailHost:Outbound:SmartHost:Port=" + LoopbackPort.Free());
        var queue = host.Host.Services.GetRequiredService<IOutboundQueueStore>();
        using var client = await SubmissionAsync(host);
        await client.SendAsync(Remote("before"));
        (await queue.SummarizeAsync(CancellationToken.None)).Messages.Should().Be(1);

        // Logged in before the disk fills (a login may write to the account database, see the POP3 test); the content
        // is under the SMTP spool's memory threshold, so the queue's content file is the first write of the message.
        host.Disk.Fill();
        var refused = await FluentActions.Awaiting(() => client.SendAsync(Remote("refused"))).Should().ThrowAsync<SmtpCommandException>();
        refused.Which.StatusCode.Should().Be(SmtpStatusCode.InsufficientStorage);
        refused.Which.Message.Should().Contain("Insufficient system storage");
        (await queue.SummarizeAsync(CancellationToken.None)).Messages.Should().Be(1, "nothing half-queued");

        host.Disk.Free();
        await client.SendAsync(Remote("after"));
        (await queue.SummarizeAsync(CancellationToken.None)).Messages.Should().Be(2);
        await client.DisconnectAsync(quit: true);
        host.TemporaryFiles().Should().BeEmpty();
        _unobserved.CollectAndCount().Should().BeEmpty();
    }

    [MountFact]
    public async Task Pop3_deletions_committed_at_QUIT_on_a_full_disk_get_ERR_SYS_TEMP_and_nothing_is_lost()
    {
        await using var host = await StoreFaultHost.StartAsync();
        var first = StoreFaultHost.Message("first", 3_000);
        var second = StoreFaultHost.Message("second", 3_000);
        (await host.SendAsync(first)).Should().StartWith("250 ");
        (await host.SendAsync(second)).Should().StartWith("250 ");

        // Logged in and DELE given before the disk fills: QUIT's UPDATE state (RFC 1939 §6) is the write that meets it.
        await using (var pop3 = await host.OpenPop3Async())
        {
            await pop3.SendAsync("DELE 1\r\n");
            (await pop3.ReadLineAsync()).Should().StartWith("+OK");
            await host.TruncateWalAsync();
            host.Disk.Fill();
            await pop3.SendAsync("QUIT\r\n");
            (await pop3.ReadLineAsync()).Should().StartWith("-ERR [SYS/TEMP] ");
        }

        host.Disk.Free();
        await host.InboxShouldHoldAsync(first, second);
        await using (var pop3 = await host.OpenPop3Async())
        {
            await pop3.SendAsync("DELE 1\r\nQUIT\r\n");
            (await pop3.ReadLineAsync()).Should().StartWith("+OK");
            (await pop3.ReadLineAsync()).Should().StartWith("+OK");
        }

        await host.InboxShouldHoldAsync(second);
        _unobserved.CollectAndCount().Should().BeEmpty();
    }

    private static MimeMessage Remote(string subject)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("alice@example.com"));
        message.To.Add(MailboxAddress.Parse("carol@remote.example"));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = new string('q', 20_000) };
        return message;
    }

    private static async Task<SmtpClient> SubmissionAsync(StoreFaultHost host)
    {
        var client = new SmtpClient { ServerCertificateValidationCallback = TestCertificate.Validate, Timeout = 15_000 };
        await client.ConnectAsync(host.Host.Submission.Address.ToString(), host.Host.Submission.Port, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("alice", StoreFaultHost.Password);
        return client;
    }
}
