using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// Expunged messages kept readable for this host's sessions not yet told of the expunge (RFC 2180 §4.1.1, the
/// contract of <see cref="IMailboxView"/>). An expunge that another open view of this host may still show moves the
/// row into <c>retained</c>, tagged with this host's instance id and holding a reference to its content; a release
/// pass, run off the sessions' path when a view lets go of messages, drops the rows of this host that no view holds
/// any more. Other hosts never touch them (their views are not known here); a host clears its own leftovers when it
/// starts, since no view outlives the process.
/// </summary>
internal sealed class RetainedMessages : IAsyncDisposable
{
    private static readonly TimeSpan ReleaseRetry = TimeSpan.FromSeconds(5);

    private readonly PostgresMailStore _store;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();

    private readonly ConcurrentDictionary<long, bool> _retaining = new();
    private readonly ConcurrentDictionary<long, bool> _releaseRequests = new();
    private readonly Channel<bool> _releaseSignal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private Task? _releaser;

    public RetainedMessages(PostgresMailStore store, ILogger logger)
    {
        _store = store;
        _logger = logger;
    }

    /// <summary>The open views of this host, by mailbox.</summary>
    public OpenMailboxViews Views { get; } = new();

    private string InstanceId => _store.InstanceId;

    /// <summary>
    /// Expunges rows of one mailbox whose row the caller holds: they leave <c>messages</c>, their UIDs are remembered
    /// with <paramref name="modSeq"/> (QRESYNC, RFC 7162 §3.2.5), and while another view of this host is open they
    /// move to <c>retained</c> with a content reference. Otherwise an expunged row's reference is released here; a
    /// moved row's reference already belongs to its copy. The caller maintains usage and HIGHESTMODSEQ.
    /// </summary>
    public async Task RetireAsync(PgSession s, long mailboxId, IReadOnlyList<(uint Uid, long ContentId)> rows, ulong modSeq, IOpenMailboxView? expunger, bool moved, CancellationToken ct)
    {
        var statements = RetireStatements(s, mailboxId, rows, expunger, moved, modSeq, out var release);
        if (statements.Count == 0)
        {
            return;
        }

        var released = new ContentRelease();
        if (release.Count > 0)
        {
            statements.Add(ContentRelease.Statement(release));
        }

        await s.BatchAsync(statements, new Dictionary<string, Action<Npgsql.NpgsqlDataReader>> { [ContentRelease.FirstColumn] = released.Read }, ct).ConfigureAwait(false);
        await released.DeleteUnreferencedAsync(_store, s, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The writes of <see cref="RetireAsync"/>, for a caller that sends them in one batch with its own; the contents
    /// whose references the caller then releases (<see cref="ContentRelease"/>) come back in <paramref name="release"/>.
    /// </summary>
    public List<(string Sql, object?[] Parameters)> RetireStatements(PgSession s, long mailboxId, IReadOnlyList<(uint Uid, long ContentId)> rows, IOpenMailboxView? expunger, bool moved, ulong modSeq, out IReadOnlyList<long> release)
    {
        var statements = new List<(string Sql, object?[] Parameters)>();
        release = [];
        if (rows.Count == 0)
        {
            return statements;
        }

        // Any other open view, not only one that holds the UID now: a view may be reading a snapshot that still has it.
        var retain = Views.AnyOther(mailboxId, expunger);
        var uids = rows.Select(r => (long)r.Uid).ToArray();
        if (retain)
        {
            statements.Add((
                """
                INSERT INTO retained (mailbox_id, uid, instance, content_id, flags, keywords, modseq, internal_date, internal_offset, save_date, email_id, thread_id, size)
                SELECT mailbox_id, uid, $3, content_id, flags, keywords, modseq, internal_date, internal_offset, save_date, email_id, thread_id, size
                FROM messages WHERE mailbox_id = $1 AND uid = ANY($2)
                ON CONFLICT (mailbox_id, uid) DO NOTHING
                """,
                [mailboxId, uids, InstanceId]));
            if (moved)
            {
                // The retained row holds a reference of its own: the moved copy took over the message's.
                statements.Add(("UPDATE contents c SET refs = c.refs + d.n FROM (SELECT id, COUNT(*)::int AS n FROM unnest($1::bigint[]) AS id GROUP BY id) d WHERE c.id = d.id", [rows.Select(r => r.ContentId).ToArray()]));
            }

            s.AfterCommit(() => _retaining[mailboxId] = true);
        }

        statements.Add(("DELETE FROM messages WHERE mailbox_id = $1 AND uid = ANY($2)", [mailboxId, uids]));
        statements.Add((
            "INSERT INTO expunged (mailbox_id, uid, modseq) SELECT $1, u, $3 FROM unnest($2::bigint[]) AS u ON CONFLICT (mailbox_id, uid) DO UPDATE SET modseq = EXCLUDED.modseq",
            [mailboxId, uids, (long)modSeq]));
        if (!retain && !moved)
        {
            release = [.. rows.Select(r => r.ContentId)];
        }

        return statements;
    }

    /// <summary>A view of <paramref name="mailboxId"/> let go of messages: a release pass runs soon, if this host retained any there.</summary>
    public void RequestRelease(long mailboxId)
    {
        if (_retaining.ContainsKey(mailboxId))
        {
            _releaseRequests[mailboxId] = true;
            _releaseSignal.Writer.TryWrite(true);
        }
    }

    /// <summary>Runs a release pass now over every mailbox where this host retained rows; returns how many rows it released.</summary>
    public Task<int> ReleaseAsync(CancellationToken cancellationToken) => ReleaseAsync([.. _retaining.Keys], cancellationToken);

    /// <summary>Starts the release pass, which runs whenever a view lets go of messages.</summary>
    public void Start() => _releaser = Task.Run(() => ReleaseLoopAsync(_stop.Token), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_releaser is not null)
        {
            await _releaser.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    /// <summary>Releases every row this host kept before it stopped: no view of it survived.</summary>
    public async Task<int> ReleaseLeftoversAsync(CancellationToken cancellationToken)
    {
        var result = await _store.WriteAsync(async (s, ct) =>
        {
            var rows = await s.ListAsync("DELETE FROM retained WHERE instance = $1 RETURNING content_id", r => r.GetInt64(0), ct, InstanceId).ConfigureAwait(false);
            foreach (var contentId in rows)
            {
                await _store.ReleaseContentAsync(s, contentId, 1, ct).ConfigureAwait(false);
            }

            return StoreResult<int>.Success(rows.Count);
        }, cancellationToken).ConfigureAwait(false);
        return result.IsSuccess ? result.Value : throw new IOException(result.Error.Message);
    }

    private async Task<int> ReleaseAsync(List<long> mailboxIds, CancellationToken cancellationToken)
    {
        var released = 0;
        foreach (var mailboxId in mailboxIds)
        {
            var result = await _store.WriteAsync(async (s, ct) =>
            {
                var count = 0;
                var kept = 0;
                var rows = await s.ListAsync(
                    "SELECT uid, content_id FROM retained WHERE instance = $1 AND mailbox_id = $2 FOR UPDATE",
                    r => ((uint)r.GetInt64(0), r.GetInt64(1)),
                    ct,
                    InstanceId,
                    mailboxId).ConfigureAwait(false);
                foreach (var (uid, contentId) in rows)
                {
                    // A view that is reading a new snapshot counts as holding everything (IOpenMailboxView.Holds).
                    if (Views.IsHeld(mailboxId, uid))
                    {
                        kept++;
                        continue;
                    }

                    await s.ExecAsync("DELETE FROM retained WHERE mailbox_id = $1 AND uid = $2 AND instance = $3", ct, mailboxId, (long)uid, InstanceId).ConfigureAwait(false);
                    await _store.ReleaseContentAsync(s, contentId, 1, ct).ConfigureAwait(false);
                    count++;
                }

                if (kept == 0)
                {
                    s.AfterCommit(() => _retaining.TryRemove(mailboxId, out _));
                }

                return StoreResult<int>.Success(count);
            }, cancellationToken).ConfigureAwait(false);
            released += result.IsSuccess ? result.Value : throw new IOException(result.Error.Message);
        }

        return released;
    }

    private async Task ReleaseLoopAsync(CancellationToken cancellationToken)
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

                await ReleaseAsync(mailboxIds, cancellationToken).ConfigureAwait(false);
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

                // The rows stay readable and are released by a later pass or the next start.
                PostgresMailLog.ReleaseFailed(_logger, ex);
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
