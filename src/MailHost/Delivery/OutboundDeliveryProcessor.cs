using MailHost.Connections;
using MailHost.Delivery.Notifications;
using MailHost.Delivery.Queue;
using MailHost.Delivery.Transport;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace MailHost.Delivery;

/// <summary>
/// Works on queued messages: claims a due message, delivers its due recipients domain by domain, schedules
/// retries with backoff, expires what is too old, sends the notifications that final states call for, and
/// records everything in one step with <see cref="IOutboundQueueStore.CompleteAsync"/>.
/// </summary>
internal sealed partial class OutboundDeliveryProcessor(
    IOutboundQueueStore queue,
    OutboundRouter router,
    SmtpOutboundTransport transport,
    DeliveryStatusNotifier notifier,
    OutboundDeliveryOptions options,
    TimeProvider time,
    ILogger logger)
{
    private readonly string _owner = Environment.MachineName + ":" + Environment.ProcessId + ":" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Claims and works on due messages, up to the concurrency limit, until none is due. Returns how many were handled.</summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        var handled = 0;
        var running = new List<Task<bool>>();
        var width = Math.Max(1, options.MaxConcurrentMessages);
        try
        {
            while (true)
            {
                while (running.Count < width && await queue.ClaimAsync(_owner, options.LeaseDuration, cancellationToken).ConfigureAwait(false) is { } lease)
                {
                    running.Add(ProcessAsync(lease, cancellationToken));
                }

                if (running.Count == 0)
                {
                    return handled;
                }

                var done = await Task.WhenAny(running).ConfigureAwait(false);
                running.Remove(done);
                await done.ConfigureAwait(false);
                handled++;
            }
        }
        finally
        {
            // Whether the round ends by shutdown or by an error, no message is left being worked on behind it: each
            // one records its results or releases its lease before the queue may be closed.
            foreach (var task in running)
            {
                try
                {
                    await task.ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Shutdown; the lease was released.
                }
#pragma warning disable CA1031 // The round already fails with the first error; the others are logged, not lost.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogMessageFailed(logger, ex);
                }
            }
        }
    }

    /// <summary>Works on one claimed message; whether its outcomes were recorded (false when the lease was lost).</summary>
    public async Task<bool> ProcessAsync(QueueLease lease, CancellationToken cancellationToken)
    {
        var message = lease.Message;
        var updates = new Dictionary<long, QueueRecipientUpdate>();
        var tookDsn = new HashSet<long>();
        var now = time.GetUtcNow();
        var due = message.Recipients.Where(r => r.State == QueueRecipientState.Pending && r.NextAttempt <= now).ToList();
        Stream? content = null;
        try
        {
            (content, var mime, var unusable) = await LoadContentAsync(message.Id, cancellationToken).ConfigureAwait(false);
            foreach (var group in due.GroupBy(r => r.Domain, StringComparer.Ordinal))
            {
                if (await queue.RenewAsync(lease, options.LeaseDuration, cancellationToken).ConfigureAwait(false) is not { } renewed)
                {
                    LogLeaseLost(logger, message.Id);
                    return false;
                }

                lease = renewed;
                var recipients = group.ToList();
                var outcomes = mime is null
                    ? recipients.ToDictionary(r => r.Id, _ => unusable!)
                    : await DeliverGroupAsync(message, mime, group.Key, recipients, cancellationToken).ConfigureAwait(false);

                var after = time.GetUtcNow();
                foreach (var recipient in recipients)
                {
                    var outcome = outcomes.TryGetValue(recipient.Id, out var o) ? o : OutboundOutcome.Temporary("451 4.4.0 Not attempted");
                    if (outcome.RemoteTookDsn)
                    {
                        tookDsn.Add(recipient.Id);
                    }

                    var update = ToUpdate(message, recipient, outcome, after);
                    updates[recipient.Id] = update;
                    CountOutcome(update.State);
                    LogOutcome(logger, message.Id, recipient.Address, outcome.Kind.ToString(), outcome.Reply);
                }
            }

            // Notifications for final recipients not yet reported (from this round, or left by an earlier one).
            var reportable = new List<DeliveryReportItem>();
            foreach (var recipient in message.Recipients)
            {
                var update = updates.GetValueOrDefault(recipient.Id);
                var state = update?.State ?? recipient.State;
                var reported = update?.Reported ?? recipient.Reported;
                if (state == QueueRecipientState.Pending || reported)
                {
                    continue;
                }

                if (DeliveryStatusNotifier.NeedsNotice(message, recipient, state, tookDsn.Contains(recipient.Id)))
                {
                    reportable.Add(new DeliveryReportItem(recipient, state, update?.LastReply ?? recipient.LastReply, update?.RemoteMta ?? recipient.RemoteMta, recipient.LastAttempt ?? time.GetUtcNow()));
                }
                else
                {
                    updates[recipient.Id] = (update ?? Same(recipient)) with { Reported = true };
                }
            }

            if (reportable.Count > 0)
            {
                var sent = await NotifyAsync(message, reportable, mime, cancellationToken).ConfigureAwait(false);
                var after = time.GetUtcNow();
                var retryAt = after + options.RetryInitialDelay;

                // A notification that cannot be made is tried for as long as a message of its own would be queued
                // (MaxAge past the message's expiry), then given up with an error in the log, never tried forever.
                var giveUp = !sent && after >= message.Expires + options.MaxAge;
                if (giveUp)
                {
                    LogNoticeGivenUp(logger, message.Id, reportable.Count);
                }

                foreach (var item in reportable)
                {
                    var update = updates.GetValueOrDefault(item.Recipient.Id) ?? Same(item.Recipient);
                    updates[item.Recipient.Id] = sent || giveUp ? update with { Reported = true } : update with { NextAttempt = retryAt };
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown: keep what this round learned (a delivered domain is not sent twice) and release the lease, so
            // that the rest is due at once after a restart rather than when the lease ends. Final states not yet
            // reported are reported on the next round.
            await ReleaseAsync(lease, updates).ConfigureAwait(false);
            throw;
        }
        finally
        {
            if (content is not null)
            {
                await content.DisposeAsync().ConfigureAwait(false);
            }
        }

        var completed = await queue.CompleteAsync(lease, [.. updates.Values], cancellationToken).ConfigureAwait(false);
        if (!completed.IsSuccess)
        {
            LogLeaseLost(logger, message.Id);
            return false;
        }

        if (completed.Value)
        {
            LogFinished(logger, message.Id);
        }

        return true;
    }

    /// <summary>
    /// Opens and parses the queued content. Null content with the outcome for every recipient when it cannot be used:
    /// missing or unparsable, a permanent failure; unreadable, a temporary one (retried until the message expires).
    /// </summary>
    private async Task<(Stream? Content, MimeMessage? Mime, OutboundOutcome? Unusable)> LoadContentAsync(string messageId, CancellationToken cancellationToken)
    {
        Stream? content = null;
        try
        {
            content = await queue.OpenContentAsync(messageId, cancellationToken).ConfigureAwait(false);
            if (content is null)
            {
                return (null, null, OutboundOutcome.Permanent("554 5.3.0 The queued message content is missing"));
            }

            // Persistent parsing keeps the parts in the content file: headers in memory, bodies streamed.
            var mime = await MimeMessage.LoadAsync(content, persistent: true, cancellationToken).ConfigureAwait(false);
            return (content, mime, null);
        }
#pragma warning disable CA1031 // The message's error boundary, as in DeliverGroupAsync.
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            if (content is not null)
            {
                await content.DisposeAsync().ConfigureAwait(false);
            }

            LogProcessingFailed(logger, messageId, "reading the content", ex);

            // The same bytes never parse on a later try; a read error may pass.
            return (null, null, ex is FormatException
                ? OutboundOutcome.Permanent("554 5.6.0 The queued message cannot be parsed")
                : OutboundOutcome.Temporary("451 4.3.0 The queued message content cannot be read"));
        }
    }

    /// <summary>
    /// Routes and sends to the recipients of one domain. Whatever throws on the way (a resolver, the transport, the
    /// signer: never a shutdown) is logged and counted as a temporary failure of those recipients, so that a message
    /// whose processing fails every time expires after MaxAge and is bounced like any other, instead of failing the
    /// round and coming back for ever.
    /// </summary>
    private async Task<Dictionary<long, OutboundOutcome>> DeliverGroupAsync(
        QueuedMessage message, MimeMessage mime, string domain, List<QueuedRecipient> recipients, CancellationToken cancellationToken)
    {
        try
        {
            var route = await router.RouteAsync(domain, cancellationToken).ConfigureAwait(false);
            return route.Destination is { } destination
                ? await transport.DeliverAsync(destination, message, mime, recipients, cancellationToken).ConfigureAwait(false)
                : recipients.ToDictionary(r => r.Id, _ => route.Failure!);
        }
#pragma warning disable CA1031 // The message's error boundary: see the summary.
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            LogProcessingFailed(logger, message.Id, "delivering to " + domain, ex);
            return recipients.ToDictionary(r => r.Id, _ => OutboundOutcome.Temporary("451 4.3.0 Internal error while delivering the message"));
        }
    }

    /// <summary>The notifier's answer; false, logged, when it throws (a fault is no reason to fail the whole message).</summary>
    private async Task<bool> NotifyAsync(QueuedMessage message, List<DeliveryReportItem> items, MimeMessage? original, CancellationToken cancellationToken)
    {
        try
        {
            return await notifier.NotifyAsync(message, items, original, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Treated as a notification not made: retried, then given up (see ProcessAsync).
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            LogProcessingFailed(logger, message.Id, "writing the delivery status notification", ex);
            return false;
        }
    }

    private async Task ReleaseAsync(QueueLease lease, Dictionary<long, QueueRecipientUpdate> updates)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            var released = await queue.CompleteAsync(lease, [.. updates.Values], timeout.Token).ConfigureAwait(false);
            if (released.IsSuccess)
            {
                LogReleased(logger, lease.Message.Id);
            }
            else
            {
                LogReleaseFailed(logger, lease.Message.Id, released.Error.Message);
            }
        }
#pragma warning disable CA1031 // Best effort at shutdown: a lease not released ends by itself after LeaseDuration.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogReleaseFailed(logger, lease.Message.Id, ex.Message);
        }
    }

    private QueueRecipientUpdate ToUpdate(QueuedMessage message, QueuedRecipient recipient, OutboundOutcome outcome, DateTimeOffset now)
    {
        var attempts = recipient.Attempts + 1;
        switch (outcome.Kind)
        {
            case OutboundOutcomeKind.Delivered:
                return new QueueRecipientUpdate(recipient.Id, QueueRecipientState.Delivered, false, attempts, now, outcome.Reply, outcome.RemoteMta);
            case OutboundOutcomeKind.PermanentFailure:
                // RFC 5321 §4.2.1: a 5yz reply is final.
                return new QueueRecipientUpdate(recipient.Id, QueueRecipientState.Failed, false, attempts, now, outcome.Reply, outcome.RemoteMta);
            default:
                if (now >= message.Expires)
                {
                    LogExpired(logger, message.Id, recipient.Address, attempts);
                    return new QueueRecipientUpdate(recipient.Id, QueueRecipientState.Expired, false, attempts, now, outcome.Reply, outcome.RemoteMta);
                }

                // RFC 5321 §4.5.4.1: retry with growing waits; the last attempt falls on the expiry time.
                var next = now + Backoff(attempts);
                return new QueueRecipientUpdate(recipient.Id, QueueRecipientState.Pending, false, attempts, next < message.Expires ? next : message.Expires, outcome.Reply, outcome.RemoteMta);
        }
    }

    /// <summary>
    /// Counts one recipient's attempt as it happened on the wire, when it happened: a round cut short by shutdown, or
    /// whose lease was lost, still delivered (or was refused) what it counts.
    /// </summary>
    private static void CountOutcome(QueueRecipientState state)
    {
        switch (state)
        {
            case QueueRecipientState.Delivered:
                MailHostMetrics.MessagesDelivered.Add(1, new KeyValuePair<string, object?>("route", "remote"));
                break;
            case QueueRecipientState.Failed:
                MailHostMetrics.MessagesBounced.Add(1, new KeyValuePair<string, object?>("reason", "permanent"));
                break;
            case QueueRecipientState.Expired:
                MailHostMetrics.MessagesBounced.Add(1, new KeyValuePair<string, object?>("reason", "expired"));
                break;
            default:
                MailHostMetrics.MessagesDeferred.Add(1);
                break;
        }
    }

    /// <summary>The wait after the <paramref name="failures"/>-th temporary failure: the initial delay doubled each time, capped.</summary>
    internal TimeSpan Backoff(int failures)
    {
        var delay = options.RetryInitialDelay;
        for (var i = 1; i < failures && delay < options.RetryMaxDelay; i++)
        {
            delay *= 2;
        }

        return delay < options.RetryMaxDelay ? delay : options.RetryMaxDelay;
    }

    private QueueRecipientUpdate Same(QueuedRecipient recipient)
        => new(recipient.Id, recipient.State, recipient.Reported, recipient.Attempts, time.GetUtcNow(), recipient.LastReply, recipient.RemoteMta);

    [LoggerMessage(3001, LogLevel.Information, "Outbound {MessageId} to {Recipient}: {Outcome} {Reply}")]
    private static partial void LogOutcome(ILogger logger, string messageId, string recipient, string outcome, string reply);

    [LoggerMessage(3002, LogLevel.Warning, "Outbound {MessageId}: the lease was lost to another worker; its results were not recorded")]
    private static partial void LogLeaseLost(ILogger logger, string messageId);

    [LoggerMessage(3003, LogLevel.Information, "Outbound {MessageId}: finished and removed from the queue")]
    private static partial void LogFinished(ILogger logger, string messageId);

    [LoggerMessage(3011, LogLevel.Information, "Outbound {MessageId}: work stopped by shutdown; the lease was released")]
    private static partial void LogReleased(ILogger logger, string messageId);

    [LoggerMessage(3012, LogLevel.Warning, "Outbound {MessageId}: the lease could not be released at shutdown ({Reason}); the message is due again when it ends")]
    private static partial void LogReleaseFailed(ILogger logger, string messageId, string reason);

    [LoggerMessage(3013, LogLevel.Error, "Outbound delivery of a message failed; it is tried again when its lease ends")]
    private static partial void LogMessageFailed(ILogger logger, Exception exception);

    [LoggerMessage(3014, LogLevel.Error, "Outbound {MessageId}: processing failed while {Stage}; counted as a failed attempt")]
    private static partial void LogProcessingFailed(ILogger logger, string messageId, string stage, Exception exception);

    [LoggerMessage(3015, LogLevel.Warning, "Outbound {MessageId} to {Recipient}: expired after {Attempts} attempts (MaxAge reached); the sender is notified as DSN asks")]
    private static partial void LogExpired(ILogger logger, string messageId, string recipient, int attempts);

    [LoggerMessage(3016, LogLevel.Error, "Outbound {MessageId}: gave up the delivery status notification for {Count} recipients, it could not be made within MaxAge after the message expired")]
    private static partial void LogNoticeGivenUp(ILogger logger, string messageId, int count);
}
