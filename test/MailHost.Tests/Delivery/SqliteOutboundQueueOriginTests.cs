using MailHost.Delivery;
using MailHost.Storage.Sqlite;
using MailHost.Storage.Sqlite.Queue;
using MailHost.Tests.Accounts;
using MailHost.Tests.Storage;

namespace MailHost.Tests.Delivery;

/// <summary>A queue from before the origin column reads its messages as submissions (the origin itself: <see cref="OutboundQueueStoreConformanceTests{TStore}"/>).</summary>
public sealed class SqliteOutboundQueueOriginTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _directory.Dispose();

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
