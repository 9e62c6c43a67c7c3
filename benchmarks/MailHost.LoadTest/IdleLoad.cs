using System.Globalization;

namespace MailHost.LoadTest;

/// <summary>
/// IDLE: opens <see cref="LoadOptions.Clients"/> connections that log in, select INBOX and IDLE, holds them until the
/// run time is over, and reports the server's resident memory per connection (from /proc/PID/status).
/// </summary>
internal sealed class IdleLoad(LoadOptions options) : LoadRun(options)
{
    private readonly List<LineConnection> _idle = [];
    private readonly Lock _lock = new();
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
        if (!await MeasureAsync("login", async () => (c = await ImapProtocol.ConnectAndLoginAsync(Target, client, deadline).ConfigureAwait(false)) is not null).ConfigureAwait(false))
        {
            return;
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
            return;
        }

        lock (_lock)
        {
            _idle.Add(c!);
        }

        // Hold the connection until the run ends; the client loop then stops.
        try
        {
            await Task.Delay(Timeout.Infinite, deadline).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                _peakKb = Math.Max(_peakKb, ProcessMemory.ResidentKb(Options.ServerPid));
            }

            throw;
        }
    }

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
