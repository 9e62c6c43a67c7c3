using MailHost.Storage.Sqlite.Queue;
using MailHost.Tests.Accounts;

namespace MailHost.Tests.Delivery;

public sealed class SqliteOutboundQueueStoreTests : OutboundQueueStoreConformanceTests<SqliteOutboundQueueStore>
{
    private readonly TempDirectory _directory = new();

    public override Task DisposeAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }

    protected override Task<SqliteOutboundQueueStore> OpenAsync() => SqliteOutboundQueueStore.OpenAsync(_directory.FullPath, Time, CancellationToken.None);

    protected override Task<bool> HasContentLeftAsync() => Task.FromResult(Directory.EnumerateFiles(Path.Combine(_directory.FullPath, "queue")).Any());

    [Fact]
    public async Task Orphan_content_files_are_swept_when_the_queue_opens()
    {
        await using (var queue = await OpenAsync())
        {
            await EnqueueAsync(queue, "bob@remote.test");
        }

        var orphan = Path.Combine(_directory.FullPath, "queue", "ffffffffffffffffffffffffffffffff.eml");
        var half = Path.Combine(_directory.FullPath, "queue", "tmp", "half.tmp");
        await File.WriteAllTextAsync(orphan, "x");
        await File.WriteAllTextAsync(half, "x");
        var old = DateTime.UtcNow - SqliteOutboundQueueStore.OrphanAge - TimeSpan.FromMinutes(1);
        File.SetLastWriteTimeUtc(orphan, old);
        File.SetLastWriteTimeUtc(half, old);

        // Files of an enqueue in progress in another process (written, row not yet committed) are young: kept.
        var inProgress = Path.Combine(_directory.FullPath, "queue", "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.eml");
        var writing = Path.Combine(_directory.FullPath, "queue", "tmp", "writing.tmp");
        await File.WriteAllTextAsync(inProgress, "x");
        await File.WriteAllTextAsync(writing, "x");

        await using var reopened = await OpenAsync();
        File.Exists(orphan).Should().BeFalse();
        File.Exists(half).Should().BeFalse();
        File.Exists(inProgress).Should().BeTrue();
        File.Exists(writing).Should().BeTrue();
        (await reopened.ListAsync(CancellationToken.None)).Should().ContainSingle();
    }
}
