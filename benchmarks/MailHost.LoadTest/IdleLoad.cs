using System.Globalization;

namespace MailHost.LoadTest;

/// <summary>
/// IDLE: opens <see cref="LoadOptions.Clients"/> connections that log in, select INBOX and IDLE, holds them until the
/// run time is over, and reports the server's resident memory per connection (from /proc/PID/status). At most
/// <see cref="LoadOptions.LoginConcurrency"/> clients are between connecting and IDLE at any moment, so the server
/// sees a steady stream of logins rather than every client's handshake at once. The run ends ten seconds after the
/// last client entered IDLE, or at the run time if not every client got there; a client whose login or IDLE
/// failed tries again from the start.
/// </summary>
internal sealed class IdleLoad(LoadOptions options) : LoadRun(options)
{
    private static readonly TimeSpan HoldAfterLast = TimeSpan.FromSeconds(10);
    private readonly List<LineConnection> _idle = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _release = new();
    private readonly SemaphoreSlim _logins = new(options.LoginConcurrency > 0 ? options.LoginConcurrency : int.MaxValue);
    private long _baselineKb = -1;
    private long _peakKb = -1;

    protected override async Task SessionAsync(int client, CancellationToken deadline)
    {
        lock (_lock)
        {
            if (_baselineKb < 0)
            {
                _baselineKb = ProcessMemory.ResidentKb(Options.ServerPid);
            }
        }

        LineConnection? c = null;
        await _logins.WaitAsync(deadline).ConfigureAwait(false);
        try
        {
            if (!await MeasureAsync("login", async () => (c = await ImapProtocol.ConnectAndLoginAsync(Target, client, deadline).ConfigureAwait(false)) is not null).ConfigureAwait(false))
            {
                throw new IOException("the login was refused");
            }

            var ok = await MeasureAsync("IDLE", async () =>
            {
                if (!(await ImapProtocol.CommandAsync(c!, "SELECT INBOX", deadline).ConfigureAwait(false)).Ok)
                {
                    return false;
                }

                await c!.WriteAsync(ImapProtocol.NextTag() + " IDLE\r\n", deadline).ConfigureAwait(false);
                return (await c.ReadLineAsync(deadline).ConfigureAwait(false)).StartsWith('+');
            }).ConfigureAwait(false);
            if (!ok)
            {
                await c!.DisposeAsync().ConfigureAwait(false);
                throw new IOException("SELECT or IDLE was refused");
            }
        }
        finally
        {
            _logins.Release();
        }

        lock (_lock)
        {
            _idle.Add(c!);
            if (_idle.Count == Options.Clients)
            {
                _release.CancelAfter(HoldAfterLast);
            }
        }

        // Hold the connection until every client idles for a while, or the run ends.
        using var hold = CancellationTokenSource.CreateLinkedTokenSource(deadline, _release.Token);
        try
        {
            await Task.Delay(Timeout.Infinite, hold.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                _peakKb = Math.Max(_peakKb, ProcessMemory.ResidentKb(Options.ServerPid));
            }

            if (deadline.IsCancellationRequested)
            {
                throw;
            }
        }
    }

    /// <summary>Each client holds one connection; the loop starts another session only after a failure.</summary>
    protected override bool RunsOnce => true;

    protected override async Task FinishAsync()
    {
        if (Options.ServerPid is not null && _baselineKb >= 0 && _idle.Count > 0)
        {
            var perConnection = (_peakKb - _baselineKb) * 1024.0 / _idle.Count;
            Notes.Add(string.Create(CultureInfo.InvariantCulture, $"server resident memory: {_baselineKb} kB before, {_peakKb} kB with {_idle.Count} idle connections: {perConnection / 1024:F1} kB per connection"));
        }

        foreach (var connection in _idle)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
