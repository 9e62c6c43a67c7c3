using Microsoft.Data.Sqlite;

namespace MailHost.IntegrationTests.Faults;

/// <summary>
/// The SQLite store cannot take writes for a while: another process holds <c>mail.db</c>'s write lock longer than the
/// store's busy timeout, or the content and spool directories refuse new files (immutable, as a read-only file system
/// would). Clients get temporary errors (SMTP 451 4.3.0, IMAP NO [UNAVAILABLE], POP3 -ERR [SYS/TEMP]), never a success
/// for what was not stored, and the host stores again by itself once the lock is released or the directories are
/// writable. (A PostgreSQL database that goes away is <c>Cluster/PostgresOutageTests</c>.)
/// </summary>
public sealed class StoreUnavailableTests : IDisposable
{
    private readonly UnobservedTaskExceptionCounter _unobserved = new();

    public void Dispose() => _unobserved.Dispose();

    [MountFact]
    public async Task A_database_locked_by_another_process_past_the_busy_timeout_gives_temporary_errors_and_recovers_when_released()
    {
        await using var host = await StoreFaultHost.StartAsync(extra: "--MailHost:Store:BusyTimeout=00:00:01");
        var before = StoreFaultHost.Message("before", 3_000);
        var after = StoreFaultHost.Message("after", 3_000);
        (await host.SendAsync(before)).Should().StartWith("250 ");
        await using var imap = await host.OpenImapAsync();
        await using var pop3 = await host.OpenPop3Async();

        await using (var locker = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = host.MailDatabase, Pooling = false }.ToString()))
        {
            await locker.OpenAsync();
            await using (var begin = locker.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE;";
                await begin.ExecuteNonQueryAsync();
            }

            (await host.SendAsync(StoreFaultHost.Message("locked-smtp", 3_000))).Should().StartWith("451 4.3.0 ");
            (await StoreFaultHost.AppendAsync(imap, "b", StoreFaultHost.Message("locked-imap", 3_000))).Should().StartWith("b NO [UNAVAILABLE] ");
            await pop3.SendAsync("DELE 1\r\nQUIT\r\n");
            (await pop3.ReadLineAsync()).Should().StartWith("+OK");
            (await pop3.ReadLineAsync()).Should().StartWith("-ERR [SYS/TEMP] ");

            // WAL: readers do not wait for the writer's lock, so mail can still be read meanwhile.
            await host.InboxShouldHoldAsync(before);
        }

        // The lock is gone with the connection: no restart, no operator action.
        (await host.SendAsync(after)).Should().StartWith("250 ");
        (await StoreFaultHost.AppendAsync(imap, "c", StoreFaultHost.Message("unlocked-imap", 3_000))).Should().StartWith("c OK [APPENDUID ");
        (await host.InboxAsync()).Should().HaveCount(3);
        _unobserved.CollectAndCount().Should().BeEmpty();
    }

    [MountFact]
    public async Task Content_and_spool_directories_that_refuse_new_files_give_451_and_NO_UNAVAILABLE_never_452_and_recover_when_writable()
    {
        await using var host = await StoreFaultHost.StartAsync();
        var blobTemp = Path.Combine(host.DataDirectory, "blobs", "tmp");
        var smtpSpool = Path.Combine(host.DataDirectory, "spool");
        Directory.CreateDirectory(smtpSpool);
        await using var imap = await host.OpenImapAsync();
        var big = StoreFaultHost.Message("big-imap", 200_000);
        var bigSmtp = StoreFaultHost.Message("big-smtp", 400_000);

        await SmallFilesystem.SetImmutableAsync(blobTemp, immutable: true);
        await SmallFilesystem.SetImmutableAsync(smtpSpool, immutable: true);
        try
        {
            // Not a full disk: a temporary failure, never "insufficient storage".
            (await StoreFaultHost.AppendAsync(imap, "b", big)).Should().StartWith("b NO [UNAVAILABLE] ").And.NotContain("Insufficient");
            (await host.SendAsync(bigSmtp)).Should().StartWith("451 4.3.0 ");
        }
        finally
        {
            await SmallFilesystem.SetImmutableAsync(blobTemp, immutable: false);
            await SmallFilesystem.SetImmutableAsync(smtpSpool, immutable: false);
        }

        (await StoreFaultHost.AppendAsync(imap, "c", big)).Should().StartWith("c OK [APPENDUID ");
        (await host.SendAsync(bigSmtp)).Should().StartWith("250 ");
        await host.InboxShouldHoldAsync(big, bigSmtp);
        host.TemporaryFiles().Should().BeEmpty();
        _unobserved.CollectAndCount().Should().BeEmpty();
    }
}
