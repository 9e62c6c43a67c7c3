using System.Text;
using MailHost.Delivery;
using MailHost.Delivery.Queue;
using MailHost.Protocols.Smtp;
using MailHost.Storage;
using MailHost.Tests.Storage;
using MailHost.TestSupport;

namespace MailHost.Tests.Delivery;

/// <summary>
/// What every <see cref="IOutboundQueueStore"/> does, run against each store by a class deriving from this one:
/// <see cref="OpenAsync"/> opens the store over the same storage each time (a restart, or a second host).
/// </summary>
public abstract class OutboundQueueStoreConformanceTests<TStore> : IAsyncLifetime
    where TStore : class, IOutboundQueueStore, IAsyncDisposable
{
    protected static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Opens the store on the storage of this test; every call opens the same queue.</summary>
    protected abstract Task<TStore> OpenAsync();

    /// <summary>Whether any message content is still kept (a file, a row) in the storage of this test.</summary>
    protected abstract Task<bool> HasContentLeftAsync();

    protected static OutboundEnvelope Envelope(params string[] recipients) => new(
        "alice@local.test",
        [.. recipients.Select(r => new OutboundRecipient(r, SmtpDsnNotify.Failure | SmtpDsnNotify.Delay, new SmtpOriginalRecipient("rfc822", r)))],
        "alice")
    {
        Return = SmtpDsnReturn.Headers,
        EnvelopeId = "env-1",
        Body = SmtpBodyType.EightBitMime,
    };

    protected static MemoryStream Content(string text = "Subject: hi\r\n\r\nbody\r\n") => new(Encoding.ASCII.GetBytes(text));

    protected async Task<string> EnqueueAsync(TStore queue, params string[] recipients)
    {
        var result = await queue.EnqueueAsync(Envelope(recipients), Content(), Time.GetUtcNow().AddDays(5), CancellationToken.None);
        result.IsSuccess.Should().BeTrue();
        return result.Value;
    }

    [StoreFact]
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
        message.Expires.Should().Be(Time.GetUtcNow().AddDays(5));
        message.Recipients.Select(r => r.Domain).Should().Equal("remote.test", "other.test");
        message.Recipients[0].Notify.Should().Be(SmtpDsnNotify.Failure | SmtpDsnNotify.Delay);
        message.Recipients[0].OriginalRecipient.Should().Be(new SmtpOriginalRecipient("rfc822", "bob@remote.test"));
        message.Recipients.Should().OnlyContain(r => r.State == QueueRecipientState.Pending && !r.Reported);

        await using var content = await reopened.OpenContentAsync(id, CancellationToken.None);
        using var reader = new StreamReader(content!);
        (await reader.ReadToEndAsync()).Should().Be("Subject: hi\r\n\r\nbody\r\n");
    }

    [StoreFact]
    public async Task A_claimed_message_is_not_claimed_again_until_its_lease_ends()
    {
        await using var queue = await OpenAsync();
        var id = await EnqueueAsync(queue, "bob@remote.test");

        var first = await queue.ClaimAsync("worker-1", Lease, CancellationToken.None);
        first!.Message.Id.Should().Be(id);
        (await queue.ClaimAsync("worker-2", Lease, CancellationToken.None)).Should().BeNull();

        Time.Advance(Lease + TimeSpan.FromSeconds(1));
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

    [StoreFact]
    public async Task Renewing_a_lease_keeps_the_message_from_other_workers()
    {
        await using var queue = await OpenAsync();
        await EnqueueAsync(queue, "bob@remote.test");
        var lease = await queue.ClaimAsync("worker-1", Lease, CancellationToken.None);
        Time.Advance(Lease - TimeSpan.FromMinutes(1));
        var renewed = await queue.RenewAsync(lease!, Lease, CancellationToken.None);
        renewed.Should().NotBeNull();
        Time.Advance(TimeSpan.FromMinutes(5));
        (await queue.ClaimAsync("worker-2", Lease, CancellationToken.None)).Should().BeNull();
    }

    [StoreFact]
    public async Task Two_stores_on_one_database_never_hold_the_same_message_at_once()
    {
        await using var one = await OpenAsync();
        await using var two = await OpenAsync();
        var ids = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            ids.Add(await EnqueueAsync(i % 2 == 0 ? one : two, $"r{i}@remote.test"));
        }

        static async Task<List<string>> DrainAsync(TStore queue, string owner)
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

    [StoreFact]
    public async Task A_deferred_recipient_is_due_at_its_next_attempt_and_a_finished_message_leaves_with_its_content()
    {
        await using var queue = await OpenAsync();
        var id = await EnqueueAsync(queue, "bob@remote.test", "carol@other.test");
        var lease = await queue.ClaimAsync("w", Lease, CancellationToken.None);
        var next = Time.GetUtcNow().AddMinutes(5);
        var bob = lease!.Message.Recipients[0];
        var carol = lease.Message.Recipients[1];
        var left = await queue.CompleteAsync(
            lease,
            [Delivered(bob), new QueueRecipientUpdate(carol.Id, QueueRecipientState.Pending, false, 1, next, "451 4.3.0 later", "mx.other.test")],
            CancellationToken.None);
        left.Value.Should().BeFalse();
        (await queue.NextDueAsync(CancellationToken.None)).Should().Be(next);
        (await queue.ClaimAsync("w", Lease, CancellationToken.None)).Should().BeNull();

        Time.Advance(TimeSpan.FromMinutes(5));
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
        (await HasContentLeftAsync()).Should().BeFalse("the content leaves with the message");
    }

    [StoreFact]
    public async Task The_summary_counts_the_queued_messages_and_dates_the_oldest_as_the_list_does()
    {
        await using var queue = await OpenAsync();
        (await queue.SummarizeAsync(CancellationToken.None)).Should().Be(new OutboundQueueSummary(0, null));
        var first = Time.GetUtcNow();
        await EnqueueAsync(queue, "bob@remote.test");
        Time.Advance(TimeSpan.FromMinutes(3));
        var second = await EnqueueAsync(queue, "carol@other.test", "dave@other.test");

        var summary = await queue.SummarizeAsync(CancellationToken.None);

        summary.Should().Be(new OutboundQueueSummary(2, first), "messages, not recipients, and the oldest by its queue time");
        var listed = await queue.ListAsync(CancellationToken.None);
        summary.Should().Be(new OutboundQueueSummary(listed.Count, listed.Min(m => m.Created)), "the store's query and the interface's default agree");
        (await queue.RemoveAsync(second, CancellationToken.None)).Should().BeTrue();
        (await queue.SummarizeAsync(CancellationToken.None)).Messages.Should().Be(1);
    }

    [StoreFact]
    public async Task Retry_makes_waiting_recipients_due_now_and_remove_drops_the_message()
    {
        await using var queue = await OpenAsync();
        var id = await EnqueueAsync(queue, "bob@remote.test");
        var lease = await queue.ClaimAsync("w", Lease, CancellationToken.None);
        var bob = lease!.Message.Recipients[0];
        await queue.CompleteAsync(lease, [new QueueRecipientUpdate(bob.Id, QueueRecipientState.Pending, false, 1, Time.GetUtcNow().AddHours(1), "421 busy", null)], CancellationToken.None);
        (await queue.ClaimAsync("w", Lease, CancellationToken.None)).Should().BeNull();

        (await queue.RetryAsync(id, CancellationToken.None)).Should().Be(1);
        lease = await queue.ClaimAsync("w", Lease, CancellationToken.None);
        lease!.Message.Recipients[0].NextAttempt.Should().Be(Time.GetUtcNow());

        (await queue.RetryAsync("0123456789abcdef0123456789abcdef", CancellationToken.None)).Should().Be(0);
        (await queue.RemoveAsync(id, CancellationToken.None)).Should().BeTrue();
        (await queue.RemoveAsync(id, CancellationToken.None)).Should().BeFalse();
        (await queue.ListAsync(CancellationToken.None)).Should().BeEmpty();
        (await queue.CompleteAsync(lease, [Delivered(bob)], CancellationToken.None)).IsSuccess.Should().BeFalse();
    }

    [StoreFact]
    public async Task Outbound_queue_delivery_queues_with_the_configured_lifetime_and_wakes_the_worker()
    {
        await using var queue = await OpenAsync();
        using var signal = new OutboundQueueSignal();
        var delivery = new OutboundQueueDelivery(queue, signal, Microsoft.Extensions.Options.Options.Create(new OutboundDeliveryOptions { MaxAge = TimeSpan.FromDays(2) }), Time);
        var result = await delivery.EnqueueAsync(Envelope("bob@remote.test"), Content(), CancellationToken.None);
        result.IsSuccess.Should().BeTrue();
        var message = (await queue.ListAsync(CancellationToken.None)).Should().ContainSingle().Subject;
        message.Expires.Should().Be(Time.GetUtcNow().AddDays(2));

        // The signal was set: the wait returns at once although the fake clock never moves.
        await signal.WaitAsync(TimeSpan.FromHours(1), Time, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
    }

    [StoreFact]
    public async Task The_origin_survives_reopening()
    {
        string submitted, notice;
        await using (var queue = await OpenAsync())
        {
            submitted = (await queue.EnqueueAsync(new OutboundEnvelope("alice@local.test", [new OutboundRecipient("bob@remote.test")], "alice"), Content(), Time.GetUtcNow().AddDays(5), CancellationToken.None)).Value;
            notice = (await queue.EnqueueAsync(new OutboundEnvelope(null, [new OutboundRecipient("x@remote.test")], "alice") { Origin = OutboundOrigin.Server }, Content(), Time.GetUtcNow().AddDays(5), CancellationToken.None)).Value;
        }

        await using var reopened = await OpenAsync();
        (await reopened.GetAsync(submitted, CancellationToken.None))!.Origin.Should().Be(OutboundOrigin.Submission);
        (await reopened.GetAsync(notice, CancellationToken.None))!.Origin.Should().Be(OutboundOrigin.Server);
    }

    protected QueueRecipientUpdate Delivered(QueuedRecipient recipient) => Final(recipient, QueueRecipientState.Delivered, reported: true);

    protected QueueRecipientUpdate Final(QueuedRecipient recipient, QueueRecipientState state, bool reported)
        => new(recipient.Id, state, reported, recipient.Attempts + 1, Time.GetUtcNow(), state == QueueRecipientState.Delivered ? "250 ok" : "550 no", "mx.remote.test");
}
