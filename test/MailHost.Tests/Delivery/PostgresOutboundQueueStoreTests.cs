using System.Security.Cryptography;
using System.Text;
using MailHost.Delivery.Queue;
using MailHost.Storage;
using MailHost.Storage.Postgres;
using MailHost.Storage.Postgres.Queue;
using MailHost.TestSupport;
using Npgsql;

namespace MailHost.Tests.Delivery;

public sealed class PostgresOutboundQueueStoreTests : OutboundQueueStoreConformanceTests<PostgresOutboundQueueStore>, IRequiresPostgres
{
    private string _database = string.Empty;

    public override async Task InitializeAsync()
    {
        if (PostgresTestServer.SkipReason is null)
        {
            _database = await PostgresTestServer.CreateDatabaseAsync();
        }
    }

    public override async Task DisposeAsync()
    {
        if (_database.Length > 0)
        {
            await PostgresTestServer.DropDatabaseAsync(_database);
        }
    }

    protected override Task<PostgresOutboundQueueStore> OpenAsync() => PostgresOutboundQueueStore.OpenAsync(_database, Time, CancellationToken.None);

    protected override async Task<bool> HasContentLeftAsync() => await CountAsync("SELECT count(*) FROM queue_content") > 0;

    [StoreFact]
    public async Task A_large_message_is_kept_in_chunks_and_read_back_with_seeks()
    {
        await using var queue = await OpenAsync();
        var bytes = RandomNumberGenerator.GetBytes((4 * PostgresQueueContentWriter.ChunkSize) + 1234);

        // A source that hands over a few kilobytes per read, as a network stream does.
        var id = (await queue.EnqueueAsync(Envelope("bob@remote.test"), new TrickleStream(bytes, 5000), Time.GetUtcNow().AddDays(1), CancellationToken.None)).Value;

        (await CountAsync("SELECT count(*) FROM queue_content")).Should().Be(5);
        (await CountAsync($"SELECT max(length(data)) FROM queue_content")).Should().Be(PostgresQueueContentWriter.ChunkSize);
        (await queue.GetAsync(id, CancellationToken.None))!.Size.Should().Be(bytes.Length);

        await using var content = (await queue.OpenContentAsync(id, CancellationToken.None))!;
        content.CanSeek.Should().BeTrue();
        content.Length.Should().Be(bytes.Length);
        var copy = new MemoryStream();
        await content.CopyToAsync(copy, 7000);
        copy.ToArray().Should().Equal(bytes);

        // Back across a chunk boundary, read without async (persistent MIME parsing seeks and reads both ways).
        content.Position = PostgresQueueContentWriter.ChunkSize - 10;
        var span = new byte[20];
        content.ReadExactly(span);
        span.Should().Equal(bytes.AsSpan(PostgresQueueContentWriter.ChunkSize - 10, 20).ToArray());
        content.Seek(-4, SeekOrigin.End);
        (await content.ReadAsync(new byte[10])).Should().Be(4);
    }

    [StoreFact]
    public async Task A_large_message_parses_with_persistent_parts_and_writes_back_unchanged()
    {
        await using var queue = await OpenAsync();
        var attachment = Convert.ToBase64String(RandomNumberGenerator.GetBytes(3 * PostgresQueueContentWriter.ChunkSize), Base64FormattingOptions.InsertLineBreaks);
        var text = "From: a@local.test\r\nSubject: big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
            + "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
            + "--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" + attachment + "\r\n--b--\r\n";
        var id = (await queue.EnqueueAsync(Envelope("bob@remote.test"), Content(text), Time.GetUtcNow().AddDays(1), CancellationToken.None)).Value;

        // As the delivery worker reads it: parts stay in the stream and are read back by seeking when written out.
        await using var content = (await queue.OpenContentAsync(id, CancellationToken.None))!;
        var mime = await MimeKit.MimeMessage.LoadAsync(content, persistent: true, CancellationToken.None);
        var written = new MemoryStream();
        var format = MimeKit.FormatOptions.Default.Clone();
        format.NewLineFormat = MimeKit.NewLineFormat.Dos;
        await mime.WriteToAsync(format, written, CancellationToken.None);

        Encoding.ASCII.GetString(written.ToArray()).Should().Be(text);
    }

    [StoreFact]
    public async Task An_enqueue_whose_content_fails_midway_leaves_nothing_behind()
    {
        await using var queue = await OpenAsync();
        var failing = new TrickleStream(new byte[3 * PostgresQueueContentWriter.ChunkSize], 64 * 1024, failAfter: PostgresQueueContentWriter.ChunkSize * 2);

        var enqueue = async () => await queue.EnqueueAsync(Envelope("bob@remote.test"), failing, Time.GetUtcNow().AddDays(1), CancellationToken.None);

        await enqueue.Should().ThrowAsync<IOException>();
        (await queue.ListAsync(CancellationToken.None)).Should().BeEmpty();
        (await HasContentLeftAsync()).Should().BeFalse();
    }

    [StoreFact]
    public async Task The_queue_migrates_its_own_component()
    {
        await using (await OpenAsync())
        {
        }

        await using var dataSource = NpgsqlDataSource.Create(_database);
        (await PostgresSchema.GetVersionAsync(dataSource, PostgresQueueSchema.Component, CancellationToken.None)).Should().Be(PostgresQueueSchema.Migrations[^1].Version);
    }

    [StoreFact]
    public async Task A_database_that_cannot_be_reached_is_unavailable_never_a_success()
    {
        // Nothing listens on port 1: every call fails to connect.
        await using var queue = new PostgresOutboundQueueStore("Host=127.0.0.1;Port=1;Timeout=3;Username=nobody;Database=none", Time);
        var lease = StrayLease(Time.GetUtcNow());

        var enqueued = await queue.EnqueueAsync(Envelope("bob@remote.test"), Content(), Time.GetUtcNow().AddDays(1), CancellationToken.None);
        var completed = await queue.CompleteAsync(lease, [], CancellationToken.None);

        enqueued.Error!.Code.Should().Be(StoreErrorCode.Unavailable);
        completed.Error!.Code.Should().Be(StoreErrorCode.Unavailable);
        await FluentActions.Awaiting(async () => await queue.ClaimAsync("w", Lease, CancellationToken.None)).Should().ThrowAsync<NpgsqlException>("no due message is not the same as no database");
        await FluentActions.Awaiting(async () => await queue.RenewAsync(lease, Lease, CancellationToken.None)).Should().ThrowAsync<NpgsqlException>("a lease is not lost because the database is down");
        await FluentActions.Awaiting(async () => await queue.NextDueAsync(CancellationToken.None)).Should().ThrowAsync<NpgsqlException>();
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(_database);
        await using var command = dataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A lease on a message that was never queued, for calls that must fail before they look.</summary>
    private static QueueLease StrayLease(DateTimeOffset now)
        => new("token", "w", now, new QueuedMessage("0123456789abcdef0123456789abcdef", null, "alice", 1, now, now, now, "w", now, []));
}
