using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// The change feed across hosts: writers send <c>NOTIFY</c> inside their transaction (PostgreSQL delivers it at
/// commit, never for a rollback), and each store instance keeps one <c>LISTEN</c> connection that turns the
/// notifications into local wake-ups. The connection reconnects by itself; notifications sent while it was away are
/// lost, so after every reconnect all waiters are woken and re-read their mailbox from their MODSEQ.
/// </summary>
internal sealed class PostgresChangeFeed : IMailboxChangeFeed, IAsyncDisposable
{
    public const string Channel = "mailhost_mail";

    /// <summary>The <c>application_name</c> of the LISTEN connections, so an operator can tell them apart.</summary>
    public const string ApplicationName = "MailHost change feed";

    private static readonly TimeSpan Ping = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<long, Signal> _signals = new();
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeSpan _trustFor;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _reconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private bool _listeningNow;
    private int _connects;

    // Raised at every (re)connect and every database failure the store met (Distrust): a view's read from before it is
    // no longer taken to be current.
    private int _epoch;

    /// <param name="connectionString">The database's.</param>
    /// <param name="trustFor">
    /// How long a view's read of its mailbox stays current for lack of news from the feed (see <see cref="IsSilent"/>):
    /// the bound on what the feed cannot tell, a LISTEN connection that broke silently and has not been found out yet,
    /// or a notification still in flight from another host.
    /// </param>
    /// <param name="logger">Where the connection's losses and returns are logged.</param>
    public PostgresChangeFeed(string connectionString, TimeSpan trustFor, ILogger logger)
    {
        // A connection of its own, outside the pool the writes use, named so that an operator can find it.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = ApplicationName, Pooling = false };
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        _trustFor = trustFor;
        _logger = logger;
    }

    /// <summary>How many times the LISTEN connection was (re)established; for tests and logs.</summary>
    public int Connects => Volatile.Read(ref _connects);

    /// <summary>Whether the LISTEN connection is up now: while it is away, other hosts' changes go unannounced.</summary>
    public bool Listening => Volatile.Read(ref _listeningNow);

    /// <summary>The highest MODSEQ announced for the mailbox since this store started (0: none).</summary>
    public ulong LatestAnnounced(long mailboxId)
    {
        if (!_signals.TryGetValue(mailboxId, out var signal))
        {
            return 0;
        }

        lock (signal)
        {
            return signal.Latest;
        }
    }

    /// <summary>
    /// What the feed has said of the mailbox so far, taken by a view before it reads its mailbox, so that it can later
    /// ask <see cref="IsSilent"/> whether anything was announced since.
    /// </summary>
    public FeedStamp Stamp(long mailboxId)
    {
        long renames = 0;
        if (_signals.TryGetValue(mailboxId, out var signal))
        {
            lock (signal)
            {
                renames = signal.Renames;
            }
        }

        return new FeedStamp(Listening ? Volatile.Read(ref _epoch) : -1, renames, Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// Called when a statement of the store failed for lack of the database: the LISTEN connection may be as broken
    /// and not know it yet, so the views read their mailboxes again (and meet the failure themselves).
    /// </summary>
    public void Distrust() => Interlocked.Increment(ref _epoch);

    /// <summary>
    /// Whether a read of the mailbox made after <paramref name="stamp"/>, which found the mailbox at
    /// <paramref name="modSeq"/>, still shows all there is: the LISTEN connection has been up since, on the same
    /// connection (a reconnect may have lost notifications), no database failure was met since (see
    /// <see cref="Distrust"/>), nothing above <paramref name="modSeq"/> and no rename was announced, and the read is
    /// younger than the trust the feed was given. This host's writes are announced at their commit, before they are
    /// acknowledged; other hosts' within milliseconds.
    /// </summary>
    public bool IsSilent(long mailboxId, FeedStamp stamp, ulong modSeq)
    {
        if (stamp.Epoch < 0 || !Listening || stamp.Epoch != Volatile.Read(ref _epoch) || Stopwatch.GetElapsedTime(stamp.Timestamp) >= _trustFor)
        {
            return false;
        }

        if (!_signals.TryGetValue(mailboxId, out var signal))
        {
            return stamp.Renames == 0;
        }

        lock (signal)
        {
            return signal.Latest <= modSeq && signal.Renames == stamp.Renames;
        }
    }

    /// <summary>Starts listening; completes once the first LISTEN is in place (or after a short wait when the server is away).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _loop ??= Task.Run(() => ListenLoopAsync(_stop.Token), CancellationToken.None);
        await Task.WhenAny(_listening.Task, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// The statement that sends the notification of a change inside the writer's transaction: it goes out when that
    /// commits. A MODSEQ of 0 announces a change to the mailbox that no MODSEQ counts (a rename): it wakes nobody, and
    /// makes the views that trusted the feed read their mailbox again.
    /// </summary>
    public static (string Sql, object?[] Parameters) Notification(long mailboxId, ulong highestModSeq) =>
        ("SELECT pg_notify($1, $2)", [Channel, string.Create(CultureInfo.InvariantCulture, $"{mailboxId}:{highestModSeq}")]);

    /// <inheritdoc/>
    /// <remarks>A <paramref name="highestModSeq"/> of 0 announces a rename (see <see cref="Notification"/>).</remarks>
    public void Publish(long mailboxId, ulong highestModSeq)
    {
        var signal = _signals.GetOrAdd(mailboxId, static _ => new Signal());
        TaskCompletionSource previous;
        lock (signal)
        {
            if (highestModSeq == 0)
            {
                signal.Renames++;
                return;
            }

            if (highestModSeq <= signal.Latest)
            {
                return;
            }

            signal.Latest = highestModSeq;
            previous = signal.Changed;
            signal.Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    /// <summary>
    /// Completes at the next reconnect of the LISTEN connection. A view takes it before it reads its mailbox and
    /// waits with it (<see cref="WaitAsync(long, ulong, Task, CancellationToken)"/>), so a notification lost while the
    /// connection was away after that read still wakes it.
    /// </summary>
    public Task Reconnected => Volatile.Read(ref _reconnected).Task;

    /// <inheritdoc/>
    public ValueTask WaitAsync(long mailboxId, ulong knownModSeq, CancellationToken cancellationToken) => WaitAsync(mailboxId, knownModSeq, Reconnected, cancellationToken);

    /// <summary>Completes once a change above <paramref name="knownModSeq"/> was published for the mailbox, or at <paramref name="reconnected"/>.</summary>
    public async ValueTask WaitAsync(long mailboxId, ulong knownModSeq, Task reconnected, CancellationToken cancellationToken)
    {
        var signal = _signals.GetOrAdd(mailboxId, static _ => new Signal());
        while (true)
        {
            Task changed;
            lock (signal)
            {
                if (signal.Latest > knownModSeq)
                {
                    return;
                }

                changed = signal.Changed.Task;
            }

            // A reconnect may have lost notifications: the waiter goes back and reads the mailbox.
            if (await Task.WhenAny(changed, reconnected).WaitAsync(cancellationToken).ConfigureAwait(false) == reconnected)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ListenLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                Interlocked.Increment(ref _connects);
                Interlocked.Increment(ref _epoch);
                if (Connects > 1)
                {
                    PostgresMailLog.FeedReconnected(_logger);
                }

                Volatile.Write(ref _listeningNow, true);
                WakeAll();
                _listening.TrySetResult();
                while (!cancellationToken.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(Ping, cancellationToken).ConfigureAwait(false))
                    {
                        // Nothing for a while: a round trip finds a connection that broke silently.
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                Volatile.Write(ref _listeningNow, false);
                PostgresMailLog.FeedLost(_logger, ex);
                await Task.Delay(Retry, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        var payload = e.Payload.AsSpan();
        var colon = payload.IndexOf(':');
        if (colon > 0
            && long.TryParse(payload[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var mailboxId)
            && ulong.TryParse(payload[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var modSeq))
        {
            Publish(mailboxId, modSeq);
        }
    }

    private void WakeAll()
    {
        var previous = Interlocked.Exchange(ref _reconnected, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }

    private sealed class Signal
    {
        public ulong Latest { get; set; }

        public long Renames { get; set; }

        public TaskCompletionSource Changed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
