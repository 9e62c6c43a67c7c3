using MailHost.Storage;
using MailHost.Storage.Postgres.Mail;
using Npgsql;

using MailHost.TestSupport;

namespace MailHost.Tests.Storage.Postgres;

[Collection(StoreCollection.Name)]
public sealed class PostgresMailCheckTests : IRequiresPostgres, IAsyncLifetime
{
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
        if (_database.Length > 0)
        {
            await PostgresTestServer.DropDatabaseAsync(_database);
        }
    }

    [StoreFact]
    public async Task The_check_recomputes_counters_and_removes_unreferenced_content()
    {
        await using var store = await PostgresMailStore.OpenAsync(new PostgresMailStoreOptions { ConnectionString = _database }, null, null, default);
        var account = (await store.OpenAccountAsync("alice", default)).Value;
        var size = (await account.AppendAsync("INBOX", TestMessages.Stream(TestMessages.Simple("One")), AppendOptions.Default, default)).Value.Size;
        await using (var dataSource = NpgsqlDataSource.Create(_database))
        await using (var corrupt = dataSource.CreateCommand(
            "UPDATE contents SET refs = 7; UPDATE accounts SET storage_used = 1, messages_used = 9; UPDATE mailboxes SET unseen = 5 WHERE name = 'INBOX'; INSERT INTO content_blobs (address, size, chunk_size) VALUES ('orphan', 0, 1024)"))
        {
            await corrupt.ExecuteNonQueryAsync();
        }

        var report = await store.CheckAsync(default);

        report.SchemaVersion.Should().Be(PostgresMailSchema.Migrations[^1].Version);
        report.CountersRepaired.Should().Be(3);
        report.OrphanedBlobsRemoved.Should().Be(1);
        report.MissingBlobs.Should().Be(0);
        var quota = await ((IMailAccountQuota)account).GetQuotaAsync(default);
        quota.StorageUsed.Should().Be(size);
        quota.MessagesUsed.Should().Be(1);
        await using (var view = (await account.OpenMailboxAsync("INBOX", examine: true, default)).Value)
        {
            view.Snapshot.Unseen.Should().Be(1);
        }

        store.LastCheck.Should().Be(report);
        (await store.CheckAsync(default)).CountersRepaired.Should().Be(0);
    }

    [StoreFact]
    public async Task The_unseen_count_kept_on_each_mailbox_row_follows_every_kind_of_write()
    {
        await using var store = await PostgresMailStore.OpenAsync(new PostgresMailStoreOptions { ConnectionString = _database }, null, null, default);
        var account = (await store.OpenAccountAsync("alice", default)).Value;
        (await account.CreateMailboxAsync("Work", MailboxAttributes.None, default)).Error.Should().BeNull();
        (await account.CreateMailboxAsync("Old", MailboxAttributes.None, default)).Error.Should().BeNull();
        var uids = new List<uint>();
        for (var i = 0; i < 6; i++)
        {
            var options = i == 0 ? AppendOptions.Default with { Flags = MessageFlags.Seen } : AppendOptions.Default;
            uids.Add((await account.AppendAsync("INBOX", TestMessages.Stream(TestMessages.Simple("m" + i)), options, default)).Value.Uid);
        }

        (await store.DeliverAsync(TestMessages.Stream(TestMessages.Simple("delivered")), [new DeliveryTarget("alice")], default)).Error.Should().BeNull();
        await using (var view = (await account.OpenMailboxAsync("INBOX", examine: false, default)).Value)
        {
            view.Snapshot.Unseen.Should().Be(6);
            (await view.StoreFlagsAsync(UidSet.FromUids([uids[1], uids[2]]), FlagOperation.Add, MessageFlags.Seen | MessageFlags.Flagged, [], null, default)).Error.Should().BeNull();
            (await view.StoreFlagsAsync(UidSet.Of(uids[0]), FlagOperation.Remove, MessageFlags.Seen, [], null, default)).Error.Should().BeNull();
            (await view.StoreFlagsAsync(UidSet.Of(uids[3]), FlagOperation.Replace, MessageFlags.Deleted, [], null, default)).Error.Should().BeNull();
            (await view.CopyAsync(UidSet.FromUids([uids[0], uids[1]]), "Work", default)).Error.Should().BeNull();
            (await view.MoveAsync(UidSet.FromUids([uids[4], uids[5]]), "Old", default)).Error.Should().BeNull();
            (await view.ExpungeAsync(null, default)).Value.Expunged.Should().Equal(uids[3]);
            var polled = (await view.PollChangesAsync(default)).Value.Snapshot;
            polled.Unseen.Should().Be(2, "the first message and the delivered one");
            polled.FirstUnseenUid.Should().Be(uids[0]);
        }

        (await account.RenameMailboxAsync("INBOX", "Kept", default)).Error.Should().BeNull();
        (await account.DeleteMailboxAsync("Old", default)).Error.Should().BeNull();
        (await account.GetStatusAsync("Work", default)).Value.Unseen.Should().Be(1);
        (await store.CheckAsync(default)).CountersRepaired.Should().Be(0, "every write kept the count the check recomputes");
    }
}
