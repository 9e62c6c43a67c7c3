using System.Collections.Concurrent;
using System.Text;
using MailHost.Delivery;
using MailHost.Delivery.Queue;
using MailHost.Storage;
using MailHost.Storage.Postgres.Queue;
using MailHost.TestSupport;

namespace MailHost.Tests.Delivery;

/// <summary>Several hosts, each with its own store instance and connections, sharing one queue database.</summary>
public sealed class PostgresOutboundQueueMultiHostTests : IRequiresPostgres, IAsyncLifetime
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
    public async Task Two_hosts_draining_at_once_claim_and_complete_every_message_exactly_once()
    {
        await using var one = await PostgresOutboundQueueStore.OpenAsync(_database, null, CancellationToken.None);
        await using var two = await PostgresOutboundQueueStore.OpenAsync(_database, null, CancellationToken.None);
        var ids = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            ids.Add(await EnqueueAsync(i % 2 == 0 ? one : two, $"r{i}@remote.test"));
        }

        var claims = new ConcurrentQueue<(string Host, string Id)>();
        var refused = new ConcurrentQueue<string>();
        async Task DrainAsync(PostgresOutboundQueueStore queue, string host)
        {
            // The lease is far longer than the test: a message claimed twice can only come from a broken claim.
            while (await queue.ClaimAsync(host, TimeSpan.FromHours(1), CancellationToken.None) is { } lease)
            {
                claims.Enqueue((host, lease.Message.Id));
                var recipient = lease.Message.Recipients[0];
                var done = await queue.CompleteAsync(
                    lease,
                    [new QueueRecipientUpdate(recipient.Id, QueueRecipientState.Delivered, true, 1, DateTimeOffset.UtcNow, "250 ok", "mx.remote.test")],
                    CancellationToken.None);
                if (!done.IsSuccess || !done.Value)
                {
                    refused.Enqueue(lease.Message.Id);
                }
            }
        }

        // Four workers per host, as a host with MaxConcurrentMessages > 1 runs them.
        var workers = Enumerable.Range(0, 4).SelectMany(w => new[] { DrainAsync(one, "host-1/" + w), DrainAsync(two, "host-2/" + w) });
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(2));

        refused.Should().BeEmpty("every claim held its lease to the end");
        claims.Select(c => c.Id).Should().OnlyHaveUniqueItems().And.BeEquivalentTo(ids);
        claims.Select(c => c.Host[..6]).Distinct().Should().HaveCount(2, "both hosts took work");
        (await one.ListAsync(CancellationToken.None)).Should().BeEmpty();
        (await two.NextDueAsync(CancellationToken.None)).Should().BeNull();
    }

    [StoreFact]
    public async Task The_lease_of_a_host_that_died_is_claimed_by_another_once_it_ends()
    {
        var lease = TimeSpan.FromSeconds(1);
        await using var dead = await PostgresOutboundQueueStore.OpenAsync(_database, null, CancellationToken.None);
        await using var alive = await PostgresOutboundQueueStore.OpenAsync(_database, null, CancellationToken.None);
        var id = await EnqueueAsync(dead, "bob@remote.test");

        var lost = await dead.ClaimAsync("dead-host", lease, CancellationToken.None);
        lost!.Message.Id.Should().Be(id);
        (await alive.ClaimAsync("alive-host", lease, CancellationToken.None)).Should().BeNull("the lease still holds");
        (await alive.NextDueAsync(CancellationToken.None)).Should().Be(lost.Until, "the other host wakes up when the lease ends");
        (await alive.GetAsync(id, CancellationToken.None))!.LeaseOwner.Should().Be("dead-host");

        // The dead host never renews; the other host polls until the lease has ended.
        QueueLease? taken = null;
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (taken is null && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(100);
            taken = await alive.ClaimAsync("alive-host", TimeSpan.FromMinutes(5), CancellationToken.None);
        }

        taken.Should().NotBeNull();
        taken!.Message.Id.Should().Be(id);
        DateTimeOffset.UtcNow.Should().BeOnOrAfter(lost.Until);

        // Should the host come back, its stale lease changes nothing and says so.
        (await dead.RenewAsync(lost, lease, CancellationToken.None)).Should().BeNull();
        (await dead.CompleteAsync(lost, [], CancellationToken.None)).Error!.Code.Should().Be(StoreErrorCode.NotFound);
        (await alive.GetAsync(id, CancellationToken.None))!.LeaseOwner.Should().Be("alive-host");

        var bob = taken.Message.Recipients[0];
        var done = await alive.CompleteAsync(taken, [new QueueRecipientUpdate(bob.Id, QueueRecipientState.Delivered, true, 1, DateTimeOffset.UtcNow, "250 ok", null)], CancellationToken.None);
        done.Value.Should().BeTrue();
    }

    private static async Task<string> EnqueueAsync(PostgresOutboundQueueStore queue, string recipient)
    {
        var envelope = new OutboundEnvelope("alice@local.test", [new OutboundRecipient(recipient)], "alice");
        using var content = new MemoryStream(Encoding.ASCII.GetBytes("Subject: hi\r\n\r\nbody\r\n"));
        var result = await queue.EnqueueAsync(envelope, content, DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);
        return result.Value;
    }
}
