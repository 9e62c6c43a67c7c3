using System.Text;
using MailHost.Delivery;
using MailHost.Delivery.Queue;
using MailHost.Protocols.Smtp;
using MailHost.Storage;
using MailHost.Storage.Sqlite.Queue;
using MailHost.Tests.Accounts;
using MailHost.Tests.Storage;

namespace MailHost.Tests.Delivery;

public sealed class SqliteOutboundQueueStoreTests : IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public void Dispose() => _directory.Dispose();

    private Task<SqliteOutboundQueueStore> OpenAsync() => SqliteOutboundQueueStore.OpenAsync(_directory.FullPath, _time, CancellationToken.None);

    private static OutboundEnvelope Envelope(params string[] recipients) => new(
        "alice@local.test",
        [.. recipients.Select(r => new OutboundRecipient(r, SmtpDsnNotify.Failure | SmtpDsnNotify.Delay, new SmtpOriginalRecipient("rfc822", r)))],
        "alice")
    {
        Return = SmtpDsnReturn.Headers,
        EnvelopeId = "env-1",
        Body = SmtpBodyType.EightBitMime,
    };

    private static MemoryStream Content(string text = "Subject: hi\r\n\r\nbody\r\n") => new(Encoding.ASCII.GetBytes(text));

    private async Task<string> EnqueueAsync(SqliteOutboundQueueStore queue, params string[] recipients)
    {
        var result = await queue.EnqueueAsync(Envelope(recipients), Content(), _time.GetUtcNow().AddDays(5), CancellationToken.None);
        result.IsSuccess.Should().BeTrue();
        return result.Value;
    }

    [Fact]
    public async Task A_queued_message_survives_reopening_with_envelope_and_content()
    {
        string id;
        await using (var queue = await OpenAsync())
        {
            id = await EnqueueAsync(queue, "bob@remote.test", "\"odd@local\"@Other.TEST");
        }

        await using var reopened = await OpenAsync();
        var message = await reopened.GetAsync(id, CancellationToken.None);
        message.Should().NotBeNull();
        message!.ReversePath.Should().Be("alice@local.test");
        message.Return.Should().Be(SmtpDsnReturn.Headers);
        message.EnvelopeId.Should().Be("env-1");
        message.Body.Should().Be(SmtpBodyType.EightBitMime);
        message.Expires.Should().Be(_time.GetUtcNow().AddDays(5));
        message.Recipients.Select(r => r.Domain).Should().Equal("remote.test", "other.test");
        message.Recipients[0].Notify.Should().Be(SmtpDsnNotify.Failure | SmtpDsnNotify.Delay);
        message.Recipients[0].OriginalRecipient.Should().Be(new SmtpOriginalRecipient("rfc822", "bob@remote.test"));
        message.Recipients.Should().OnlyContain(r => r.State == QueueRecipientState.Pending && !r.Reported);

        await using var content = await reopened.OpenContentAsync(id, CancellationToken.None);
        using var reader = new StreamReader(content!);
        (await reader.ReadToEndAsync()).Should().Be("Subject: hi\r\n\r\nbody\r\n");
    }

    [Fact]
    public async Task A_claimed_message_is_not_claimed_again_until_its_lease_ends()
    {
        await using var queue = await OpenAsync();
        var id = await EnqueueAsync(queue, "bob@remote.test");

        var first = await queue.ClaimAsync("worker-1", Lease, CancellationToken.None);
        first!.Message.Id.Should().Be(id);
        (await queue.ClaimAsync("worker-2", Lease, CancellationToken.None)).Should().BeNull();

        _time.Advance(Lease + TimeSpan.FromSeconds(1));
        var second = await queue.ClaimAsync("worker-2", Lease, CancellationToken.None);
        second!.Message.Id.Should().Be(id);
        second.Token.Should().NotBe(first.Token);

        // The first worker lost its lease: its outcome is refused and nothing changes.
        var late = await queue.CompleteAsync(first, [Delivered(first.Message.Recipients[0])], CancellationToken.None);
        late.IsSuccess.Should().BeFalse();
        late.Error!.Code.Should().Be(StoreErrorCode.NotFound);
        (await queue.RenewAsync(first, Lease, CancellationToken.None)).Should().BeNull();
        (await queue.GetAsync(id, CancellationToken.None))!.Recipients[0].State.Should().Be(QueueRecipientState.Pending);
    }

    [Fact]
    public async Task Renewing_a_lease_keeps_the_message_from_other_workers()
    {
        await using var queue = await OpenAsync();
        await EnqueueAsync(queue, "bob@remote.test");
        var lease = await queue.ClaimAsync("worker-1", Lease, CancellationToken.None);
        _time.Advance(Lease - TimeSpan.FromMinutes(1));
        var renewed = await queue.RenewAsync(lease!, Lease, CancellationToken.None);
        renewed.Should().NotBeNull();
        _time.Advance(TimeSpan.FromMinutes(5));
        (await queue.ClaimAsync("worker-2", Lease, CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task Two_stores_on_one_database_never_hold_the_same_message_at_once()
    {
        await using var one = await OpenAsync();
        await using var two = await OpenAsync();
        var ids = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            ids.Add(await EnqueueAsync(i % 2 == 0 ? one : two, $"r{i}@remote.test"));
        }

        static async Task<List<string>> DrainAsync(SqliteOutboundQueueStore queue, string owner)
        {
            var claimed = new List<string>();
            while (await queue.ClaimAsync(owner, Lease, CancellationToken.None) is { } lease)
            {
                claimed.Add(lease.Message.Id);
                await Task.Yield();
            }

            return claimed;
        }

        var results = await Task.WhenAll(DrainAsync(one, "a"), DrainAsync(two, "b")).WaitAsync(TimeSpan.FromSeconds(60));
        var all = results[0].Concat(results[1]).ToList();
        all.Should().OnlyHaveUniqueItems();
        all.Should().BeEquivalentTo(ids);
    }

    [Fact]
    public async Task A_deferred_recipient_is_due_at_its_next_attempt_and_a_finished_message_leaves_with_its_content()
    {
        await using var queue = await OpenAsync();
        var id = await EnqueueAsync(queue, "bob@remote.test", "carol@other.test");
        var lease = await queue.ClaimAsync("w", Lease, CancellationToken.None);
        var next = _time.GetUtcNow().AddMinutes(5);
        var bob = lease!.Message.Recipients[0];
        var carol = lease.Message.Recipients[1];
        var left = await queue.CompleteAsync(
            lease,
            [Delivered(bob), new QueueRecipientUpdate(carol.Id, QueueRecipientState.Pending, false, 1, next, "451 4.3.0 later", "mx.other.test")],
            CancellationToken.None);
        left.Value.Should().BeFalse();
        (await queue.NextDueAsync(CancellationToken.None)).Should().Be(next);
        (await queue.ClaimAsync("w", Lease, CancellationToken.None)).Should().BeNull();

        _time.Advance(TimeSpan.FromMinutes(5));
        lease = await queue.ClaimAsync("w", Lease, CancellationToken.None);
        lease!.Message.Recipients[1].Attempts.Should().Be(1);
        lease.Message.Recipients[1].LastReply.Should().Be("451 4.3.0 later");
        lease.Message.Recipients[1].RemoteMta.Should().Be("mx.other.test");

        // Failed but not yet reported: the message stays, due at once, for its notification.
        left = await queue.CompleteAsync(lease, [Final(carol, QueueRecipientState.Failed, reported: false)], CancellationToken.None);
        left.Value.Should().BeFalse();
        lease = await queue.ClaimAsync("w", Lease, CancellationToken.None);
        lease.Should().NotBeNull();

        left = await queue.CompleteAsync(lease!, [Final(carol, QueueRecipientState.Failed, reported: true)], CancellationToken.None);
        left.Value.Should().BeTrue();
        (await queue.GetAsync(id, CancellationToken.None)).Should().BeNull();
        (await queue.OpenContentAsync(id, CancellationToken.None)).Should().BeNull();
        Directory.EnumerateFiles(Path.Combine(_directory.FullPath, "queue")).Should().BeEmpty();
    }

    [Fact]
    public async Task Retry_makes_waiting_recipients_due_now_and_remove_drops_the_message()
    {
        await using var queue = await OpenAsync();
        var id = await EnqueueAsync(queue, "bob@remote.test");
        var lease = await queue.ClaimAsync("w", Lease, CancellationToken.None);
        var bob = lease!.Message.Recipients[0];
        await queue.CompleteAsync(lease, [new QueueRecipientUpdate(bob.Id, QueueRecipientState.Pending, false, 1, _time.GetUtcNow().AddHours(1), "421 busy", null)], CancellationToken.None);
        (await queue.ClaimAsync("w", Lease, CancellationToken.None)).Should().BeNull();

        (await queue.RetryAsync(id, CancellationToken.None)).Should().Be(1);
        lease = await queue.ClaimAsync("w", Lease, CancellationToken.None);
        lease!.Message.Recipients[0].NextAttempt.Should().Be(_time.GetUtcNow());

        (await queue.RetryAsync("0123456789abcdef0123456789abcdef", CancellationToken.None)).Should().Be(0);
        (await queue.RemoveAsync(id, CancellationToken.None)).Should().BeTrue();
        (await queue.RemoveAsync(id, CancellationToken.None)).Should().BeFalse();
        (await queue.ListAsync(CancellationToken.None)).Should().BeEmpty();
        (await queue.CompleteAsync(lease, [Delivered(bob)], CancellationToken.None)).IsSuccess.Should().BeFalse();
    }

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

    [Fact]
    public async Task Outbound_queue_delivery_queues_with_the_configured_lifetime_and_wakes_the_worker()
    {
        await using var queue = await OpenAsync();
        using var signal = new OutboundQueueSignal();
        var delivery = new OutboundQueueDelivery(queue, signal, Microsoft.Extensions.Options.Options.Create(new OutboundDeliveryOptions { MaxAge = TimeSpan.FromDays(2) }), _time);
        var result = await delivery.EnqueueAsync(Envelope("bob@remote.test"), Content(), CancellationToken.None);
        result.IsSuccess.Should().BeTrue();
        var message = (await queue.ListAsync(CancellationToken.None)).Should().ContainSingle().Subject;
        message.Expires.Should().Be(_time.GetUtcNow().AddDays(2));

        // The signal was set: the wait returns at once although the fake clock never moves.
        await signal.WaitAsync(TimeSpan.FromHours(1), _time, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
    }

    private QueueRecipientUpdate Delivered(QueuedRecipient recipient) => Final(recipient, QueueRecipientState.Delivered, reported: true);

    private QueueRecipientUpdate Final(QueuedRecipient recipient, QueueRecipientState state, bool reported)
        => new(recipient.Id, state, reported, recipient.Attempts + 1, _time.GetUtcNow(), state == QueueRecipientState.Delivered ? "250 ok" : "550 no", "mx.remote.test");
}
