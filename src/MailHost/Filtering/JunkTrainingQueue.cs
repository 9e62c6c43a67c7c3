using System.Threading.Channels;
using MailHost.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MailHost.Filtering;

/// <summary>
/// Teaches the registered <see cref="IJunkLearner"/>s from users' moves into and out of Junk, after the IMAP command
/// was answered: the command only queues the UIDs (never waiting), one worker reads each message from the store and
/// hands it to every learner, at most <see cref="InboundFilteringOptions.JunkTrainingPerSecond"/> messages a second.
/// A full queue drops new work (logged and counted): training is advice, never worth delaying mail for.
/// </summary>
internal sealed class JunkTrainingQueue : BackgroundService
{
    private static readonly TimeSpan LearnTimeout = TimeSpan.FromSeconds(30);

    private readonly IJunkLearner[] _learners;
    private readonly IMailStore _store;
    private readonly InboundFilteringOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Channel<JunkTrainingWork> _work = Channel.CreateUnbounded<JunkTrainingWork>(new UnboundedChannelOptions { SingleReader = true });
    private int _pending;

    public JunkTrainingQueue(IEnumerable<IJunkLearner> learners, IMailStore store, IOptions<InboundFilteringOptions> options, TimeProvider timeProvider, ILogger<JunkTrainingQueue> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _learners = [.. learners];
        _store = store;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Whether any learner is registered: without one, moves are not looked at.</summary>
    public bool IsEnabled => _learners.Length > 0;

    /// <summary>
    /// Queues a COPY or MOVE from <paramref name="source"/> to <paramref name="destination"/> whose copies are
    /// <paramref name="destinationUids"/>: the worker looks at the two mailboxes' special use (RFC 6154 <c>\Junk</c>,
    /// <c>\Trash</c>) and teaches the copies as Junk or not; at most
    /// <see cref="InboundFilteringOptions.JunkTrainingMaxPerCommand"/> of them. Never waits and never throws.
    /// </summary>
    public void Enqueue(string accountName, string source, string destination, IReadOnlyList<uint> destinationUids)
    {
        if (!IsEnabled || destinationUids.Count == 0 || source == destination)
        {
            return;
        }

        var taken = destinationUids.Take(Math.Max(0, _options.JunkTrainingMaxPerCommand)).ToArray();
        if (Interlocked.Add(ref _pending, taken.Length) > _options.JunkTrainingQueueCapacity)
        {
            Interlocked.Add(ref _pending, -taken.Length);
            InboundFilterLog.TrainingDropped(_logger, taken.Length, accountName);
            InboundFilterMetrics.JunkLearned.Add(taken.Length, new KeyValuePair<string, object?>("learner", "all"), new KeyValuePair<string, object?>("outcome", "dropped"));
            return;
        }

        _work.Writer.TryWrite(new JunkTrainingWork(accountName, source, destination, taken));
    }

    /// <summary>
    /// What a move from a mailbox with <paramref name="source"/> attributes to one with <paramref name="destination"/>
    /// says: into Junk is spam, out of Junk into anything but Trash is not (deleting spam says nothing about it).
    /// </summary>
    internal static JunkClassification? Classify(MailboxAttributes source, MailboxAttributes destination)
    {
        var fromJunk = (source & MailboxAttributes.Junk) != 0;
        var toJunk = (destination & MailboxAttributes.Junk) != 0;
        return toJunk && !fromJunk ? JunkClassification.Junk
            : fromJunk && !toJunk && (destination & MailboxAttributes.Trash) == 0 ? JunkClassification.NotJunk
            : null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!IsEnabled)
        {
            return;
        }

        var interval = _options.JunkTrainingPerSecond > 0 ? TimeSpan.FromSeconds(1 / _options.JunkTrainingPerSecond) : TimeSpan.Zero;
        var next = _timeProvider.GetUtcNow();
        try
        {
            await foreach (var work in _work.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                var classification = await ClassifyAsync(work, stoppingToken).ConfigureAwait(false);
                if (classification is null)
                {
                    Interlocked.Add(ref _pending, -work.Uids.Length);
                    continue;
                }

                InboundFilterLog.TrainingQueued(_logger, work.Uids.Length, work.AccountName, classification.Value);
                foreach (var uid in work.Uids)
                {
                    var wait = next - _timeProvider.GetUtcNow();
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, _timeProvider, stoppingToken).ConfigureAwait(false);
                    }

                    next = _timeProvider.GetUtcNow() + interval;
                    await LearnAsync(work, uid, classification.Value, stoppingToken).ConfigureAwait(false);
                    Interlocked.Decrement(ref _pending);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host stops: what is still queued is not learned (training is advice, nothing is lost).
        }
    }

    /// <summary>Reads one message where it is now and hands it to each learner; a message expunged meanwhile is skipped.</summary>
    private async Task LearnAsync(JunkTrainingWork work, uint uid, JunkClassification classification, CancellationToken stoppingToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        limit.CancelAfter(LearnTimeout * _learners.Length);
        try
        {
            var opened = await _store.OpenAccountAsync(work.AccountName, limit.Token).ConfigureAwait(false);
            if (!opened.IsSuccess)
            {
                InboundFilterLog.TrainingReadFailed(_logger, work.AccountName, work.Destination, opened.Error.Message);
                return;
            }

            await using var account = opened.Value.ConfigureAwait(false);
            var view = await opened.Value.OpenMailboxAsync(work.Destination, examine: true, limit.Token).ConfigureAwait(false);
            if (!view.IsSuccess)
            {
                InboundFilterLog.TrainingReadFailed(_logger, work.AccountName, work.Destination, view.Error.Message);
                return;
            }

            await using var mailbox = view.Value.ConfigureAwait(false);
            await foreach (var message in view.Value.FetchAsync(UidSet.Of(uid), FetchOptions.Default, limit.Token).ConfigureAwait(false))
            {
                foreach (var learner in _learners)
                {
                    await TeachAsync(learner, work.AccountName, classification, message, limit.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The store failing here costs one lesson, never the worker.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            InboundFilterLog.TrainingReadFailed(_logger, work.AccountName, work.Destination, ex.Message);
        }
    }

    /// <summary>One learner, one message, streamed from the store (each learner reads a stream of its own).</summary>
    private async Task TeachAsync(IJunkLearner learner, string accountName, JunkClassification classification, MessageData message, CancellationToken cancellationToken)
    {
        try
        {
            var content = await message.Content.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (content is null)
            {
                return;
            }

            await using (content.ConfigureAwait(false))
            {
                await learner.LearnAsync(accountName, classification, content, cancellationToken).ConfigureAwait(false);
            }

            InboundFilterLog.Learned(_logger, learner.Name, accountName, classification);
            Count(classification, "learned", learner.Name);
        }
#pragma warning disable CA1031 // A learner is outside code (an HTTP service): its failure is logged and training goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            InboundFilterLog.LearnFailed(_logger, learner.Name, accountName, ex);
            Count(classification, "failed", learner.Name);
        }
    }

    /// <summary>The classification of a queued move, from the special use of its two mailboxes; null when it says nothing.</summary>
    private async Task<JunkClassification?> ClassifyAsync(JunkTrainingWork work, CancellationToken stoppingToken)
    {
        try
        {
            var opened = await _store.OpenAccountAsync(work.AccountName, stoppingToken).ConfigureAwait(false);
            if (!opened.IsSuccess)
            {
                return null;
            }

            await using var account = opened.Value.ConfigureAwait(false);
            var mailboxes = await opened.Value.ListMailboxesAsync(stoppingToken).ConfigureAwait(false);
            return Classify(AttributesOf(mailboxes, work.Source), AttributesOf(mailboxes, work.Destination));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The store failing here costs one lesson, never the worker.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            InboundFilterLog.TrainingReadFailed(_logger, work.AccountName, work.Destination, ex.Message);
            return null;
        }
    }

    private static MailboxAttributes AttributesOf(IReadOnlyList<MailboxInfo> mailboxes, string name)
        => mailboxes.FirstOrDefault(m => m.Name == (name.Equals(MailboxName.Inbox, StringComparison.OrdinalIgnoreCase) ? MailboxName.Inbox : name))?.Attributes ?? MailboxAttributes.None;

    private static void Count(JunkClassification classification, string outcome, string learner)
        => InboundFilterMetrics.JunkLearned.Add(
            1,
            new KeyValuePair<string, object?>("learner", learner),
            new KeyValuePair<string, object?>("classification", classification == JunkClassification.Junk ? "junk" : "notjunk"),
            new KeyValuePair<string, object?>("outcome", outcome));

    private sealed record JunkTrainingWork(string AccountName, string Source, string Destination, uint[] Uids);
}
