using System.Text;
using MailHost.Delivery;
using MailHost.Storage.Sqlite;
using MailHost.Storage.Sqlite.Queue;
using MailHost.Tests.Accounts;
using MailHost.Tests.Storage;

namespace MailHost.Tests.Delivery;

/// <summary>Who wrote a queued message is kept with it, and a queue from before that column reads as submissions.</summary>
public sealed class SqliteOutboundQueueOriginTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _directory.Dispose();

    private static MemoryStream Content() => new(Encoding.ASCII.GetBytes("Subject: hi\r\n\r\nbody\r\n"));

    [Fact]
    public async Task The_origin_survives_reopening()
    {
        string submitted, notice;
        await using (var queue = await SqliteOutboundQueueStore.OpenAsync(_directory.FullPath, _time, CancellationToken.None))
        {
            submitted = (await queue.EnqueueAsync(new OutboundEnvelope("alice@local.test", [new OutboundRecipient("bob@remote.test")], "alice"), Content(), _time.GetUtcNow().AddDays(5), CancellationToken.None)).Value;
            notice = (await queue.EnqueueAsync(new OutboundEnvelope(null, [new OutboundRecipient("x@remote.test")], "alice") { Origin = OutboundOrigin.Server }, Content(), _time.GetUtcNow().AddDays(5), CancellationToken.None)).Value;
        }

        await using var reopened = await SqliteOutboundQueueStore.OpenAsync(_directory.FullPath, _time, CancellationToken.None);
        (await reopened.GetAsync(submitted, CancellationToken.None))!.Origin.Should().Be(OutboundOrigin.Submission);
        (await reopened.GetAsync(notice, CancellationToken.None))!.Origin.Should().Be(OutboundOrigin.Server);
    }

    [Fact]
    public async Task A_queue_of_the_previous_schema_keeps_its_messages_as_submissions()
    {
        var path = Path.Combine(_directory.FullPath, SqliteOutboundQueueStore.DatabaseFileName);
        await using (var old = await SqliteDatabase.OpenAsync(path, CancellationToken.None))
        {
            (await SqliteDatabase.MigrateAsync(old, [.. SqliteOutboundQueueSchema.Migrations.Take(2)], CancellationToken.None)).Should().Be(2);
            using var insert = old.CreateCommand();
            insert.CommandText = """
                INSERT INTO queue_messages (id, reverse_path, account, body, smtputf8, ret, envid, size, created, expires, next_attempt)
                VALUES ('m1', 'alice@local.test', 'alice', 0, 0, 0, NULL, 20, 0, 0, 0);
                """;
            await insert.ExecuteNonQueryAsync();
        }

        await using var queue = await SqliteOutboundQueueStore.OpenAsync(_directory.FullPath, _time, CancellationToken.None);

        var message = (await queue.GetAsync("m1", CancellationToken.None))!;
        message.Account.Should().Be("alice");
        message.Origin.Should().Be(OutboundOrigin.Submission);
    }
}
