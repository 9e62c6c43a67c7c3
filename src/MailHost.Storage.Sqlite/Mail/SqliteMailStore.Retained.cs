using System.Collections.Concurrent;
using System.Threading.Channels;

namespace MailHost.Storage.Sqlite.Mail;

/// <summary>
/// Expunged messages kept readable for the sessions not yet told of the expunge (RFC 2180 §4.1.1, the contract of
/// <see cref="IMailboxView"/>). An expunge that another open view of the mailbox may still show moves the row into
/// <c>retained</c> (schema version 7) with a reference to its content; a release pass, run off the sessions' path
/// when a view lets go of messages, drops the rows no view holds any more and releases their content. The start-up
/// check drops them all: no view outlives the process.
/// </summary>
public sealed partial class SqliteMailStore
{
    private static readonly TimeSpan ReleaseRetry = TimeSpan.FromSeconds(5);

    // Mailboxes where this process retained rows, and those where a view has let go of messages since the last pass.
    private readonly ConcurrentDictionary<long, bool> _retaining = new();
    private readonly ConcurrentDictionary<long, bool> _releaseRequests = new();
    private readonly Channel<bool> _releaseSignal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private Task? _releaser;

    /// <summary>The open views of this process, by mailbox.</summary>
    internal OpenMailboxViews Views { get; } = new();

    /// <summary>
    /// Completes once the write batch running now, if any, has committed: a view registered before awaiting it is
    /// seen by every expunge decided later, and reads after it see every expunge decided earlier.
    /// </summary>
    internal Task RunningBatch => _writer?.RunningBatch ?? Task.CompletedTask;

    /// <summary>
    /// Expunges rows of one mailbox inside a write: they leave <c>messages</c>, their UIDs are remembered with
    /// <paramref name="modSeq"/>, and while another view of the mailbox is open they move to <c>retained</c> with a
    /// reference to their content. Otherwise an expunged row's content reference is released here; a moved row's
    /// reference already belongs to its copy. The caller maintains quotas and HIGHESTMODSEQ.
    /// </summary>
    internal void RetireMessages(WriteContext ctx, long mailboxId, IReadOnlyList<(uint Uid, long ContentId)> rows, ulong modSeq, IOpenMailboxView? expunger, bool moved)
    {
        if (rows.Count == 0)
        {
            return;
        }

        // Any other open view, not only one that holds the UID now: a view may be reading a snapshot that still has
        // it. The release pass decides exactly, once nothing is in flight.
        var retain = Views.AnyOther(mailboxId, expunger);
        foreach (var (uid, contentId) in rows)
        {
            if (retain)
            {
                ctx.Db.Exec(
                    "INSERT OR REPLACE INTO retained (mailbox_id, uid, content_id, flags, keywords, modseq, internal_date, internal_offset, save_date, email_id, thread_id, size) SELECT mailbox_id, uid, content_id, flags, keywords, modseq, internal_date, internal_offset, save_date, email_id, thread_id, size FROM messages WHERE mailbox_id = @p0 AND uid = @p1",
                    mailboxId,
                    (long)uid);
                if (moved)
                {
                    ctx.Db.Exec("UPDATE contents SET refs = refs + 1 WHERE id = @p0", contentId);
                }
            }

            ctx.Db.Exec("DELETE FROM messages WHERE mailbox_id = @p0 AND uid = @p1", mailboxId, (long)uid);
            ctx.Db.Exec("INSERT OR REPLACE INTO expunged (mailbox_id, uid, modseq) VALUES (@p0, @p1, @p2)", mailboxId, (long)uid, (long)modSeq);
            if (!retain && !moved)
            {
                ReleaseContent(ctx, contentId, 1);
            }
        }

        if (retain)
        {
            ctx.AfterCommit(_ => _retaining[mailboxId] = true);
        }
    }

    /// <summary>Drops every retained row of a mailbox that is being deleted, inside the caller's write.</summary>
    internal void ReleaseRetained(WriteContext ctx, long mailboxId)
    {
        var rows = ctx.Db.List("SELECT content_id, COUNT(*) FROM retained WHERE mailbox_id = @p0 GROUP BY content_id", r => (ContentId: r.GetInt64(0), Count: r.GetInt32(1)), mailboxId);
        ctx.Db.Exec("DELETE FROM retained WHERE mailbox_id = @p0", mailboxId);
        foreach (var (contentId, count) in rows)
        {
            ReleaseContent(ctx, contentId, count);
        }
    }

    /// <summary>A view of <paramref name="mailboxId"/> let go of messages: a release pass runs soon, if this process retained any there.</summary>
    internal void RequestRelease(long mailboxId)
    {
        if (_retaining.ContainsKey(mailboxId))
        {
            _releaseRequests[mailboxId] = true;
            _releaseSignal.Writer.TryWrite(true);
        }
    }

    /// <summary>Runs a release pass now over every mailbox where this process retained rows; returns how many rows it released.</summary>
    internal Task<int> ReleaseRetainedAsync(CancellationToken cancellationToken) => ReleaseRetainedAsync([.. _retaining.Keys], cancellationToken);

    private async Task<int> ReleaseRetainedAsync(List<long> mailboxIds, CancellationToken cancellationToken)
    {
        if (mailboxIds.Count == 0)
        {
            return 0;
        }

        var result = await WriteAsync(ctx =>
        {
            var released = 0;
            foreach (var mailboxId in mailboxIds)
            {
                var kept = 0;
                var rows = ctx.Db.List("SELECT uid, content_id FROM retained WHERE mailbox_id = @p0", r => (Uid: (uint)r.GetInt64(0), ContentId: r.GetInt64(1)), mailboxId);
                foreach (var (uid, contentId) in rows)
                {
                    // A view that is reading a new snapshot counts as holding everything (IOpenMailboxView.Holds).
                    if (Views.IsHeld(mailboxId, uid))
                    {
                        kept++;
                        continue;
                    }

                    ctx.Db.Exec("DELETE FROM retained WHERE mailbox_id = @p0 AND uid = @p1", mailboxId, (long)uid);
                    ReleaseContent(ctx, contentId, 1);
                    released++;
                }

                if (kept == 0)
                {
                    // The writer runs one write at a time: a later retention marks the mailbox again after this.
                    ctx.AfterCommit(db => _retaining.TryRemove(mailboxId, out _));
                }
            }

            return StoreResult<int>.Success(released);
        }, cancellationToken, background: true).ConfigureAwait(false);
        return result.IsSuccess ? result.Value : throw new IOException(result.Error.Message);
    }

    /// <summary>Runs a release pass whenever views have let go of messages in mailboxes with retained rows.</summary>
    private async Task ReleaseRetainedLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var mailboxIds = new List<long>();
            try
            {
                await _releaseSignal.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                foreach (var mailboxId in _releaseRequests.Keys)
                {
                    if (_releaseRequests.TryRemove(mailboxId, out _))
                    {
                        mailboxIds.Add(mailboxId);
                    }
                }

                await ReleaseRetainedAsync(mailboxIds, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                // The rows stay readable and are released by a later pass (or the next start); nothing may end the
                // loop: the store awaits it when disposed.
                SqliteMailLog.ReleaseRetainedFailed(_logger, ex);
                await Task.Delay(ReleaseRetry, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                foreach (var mailboxId in mailboxIds)
                {
                    _releaseRequests[mailboxId] = true;
                }

                _releaseSignal.Writer.TryWrite(true);
            }
        }
    }
}
