using System.Net;
using System.Security.Cryptography;
using MailHost.Accounts;

namespace MailHost.Server.Administration.Tracing;

/// <summary>
/// The live traces operators started on this host. Opt-in and time-limited: at most <see cref="MaxTraces"/> at once,
/// each for at most <see cref="MaxDuration"/>; a trace ended more than an hour ago is forgotten with its lines. While
/// none records, the trace logger reports Trace as off, so the sessions format nothing for it.
/// </summary>
internal sealed class LiveTraces(TimeProvider time)
{
    public const int MaxTraces = 10;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(1);
    private static readonly TimeSpan KeepEnded = TimeSpan.FromHours(1);

    private readonly Lock _lock = new();
    private LiveTrace[] _traces = [];
    private volatile bool _anyActive;

    /// <summary>Whether any trace may record now (cheap: read on every trace line of every session).</summary>
    public bool AnyActive
    {
        get
        {
            if (!_anyActive)
            {
                return false;
            }

            var now = time.GetUtcNow();
            foreach (var trace in _traces)
            {
                if (trace.IsActive(now))
                {
                    return true;
                }
            }

            _anyActive = false;
            return false;
        }
    }

    /// <summary>The traces, newest first.</summary>
    public IReadOnlyList<LiveTrace> List()
    {
        Prune();
        return [.. _traces.OrderByDescending(t => t.Started)];
    }

    public LiveTrace? Get(string id) => Array.Find(_traces, t => t.Id == id);

    /// <summary>Starts a trace of an account or a client address; null and the reason when refused.</summary>
    public (LiveTrace? Trace, string? Problem) Start(string? account, string? address, TimeSpan duration, string startedBy)
    {
        string? canonicalAccount = null;
        IPAddress? ip = null;
        if (!string.IsNullOrWhiteSpace(account) == !string.IsNullOrWhiteSpace(address))
        {
            return (null, "Trace either one account or one client address.");
        }

        if (!string.IsNullOrWhiteSpace(account) && (canonicalAccount = MailAddressCanonicalizer.CanonicalizeAccountName(account)) is null)
        {
            return (null, $"'{account}' is not an account name.");
        }

        if (!string.IsNullOrWhiteSpace(address) && !IPAddress.TryParse(address.Trim(), out ip))
        {
            return (null, $"'{address}' is not an IP address.");
        }

        if (duration <= TimeSpan.Zero || duration > MaxDuration)
        {
            return (null, $"A trace lasts between 1 and {MaxDuration.TotalMinutes:0} minutes.");
        }

        Prune();
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_traces.Count(t => t.IsActive(now)) >= MaxTraces)
            {
                return (null, $"{MaxTraces} traces are running; stop one first.");
            }

            var trace = new LiveTrace(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), canonicalAccount, ip is { IsIPv4MappedToIPv6: true } ? ip.MapToIPv4() : ip, startedBy, now, now + duration);
            _traces = [.. _traces, trace];
            _anyActive = true;
            return (trace, null);
        }
    }

    /// <summary>Stops a trace; false when there is none with that id.</summary>
    public bool Stop(string id)
    {
        var trace = Get(id);
        trace?.Stop(time.GetUtcNow());
        return trace is not null;
    }

    /// <summary>Adds a line to every active trace it belongs to.</summary>
    public void Record(string? account, IPAddress? remote, Func<LiveTraceLine> line)
    {
        var now = time.GetUtcNow();
        LiveTraceLine? made = null;
        foreach (var trace in _traces)
        {
            if (trace.IsActive(now) && trace.Matches(account, remote))
            {
                made ??= line();
                trace.Add(made);
            }
        }
    }

    private void Prune()
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            _traces = [.. _traces.Where(t => now - t.Expires < KeepEnded)];
        }
    }
}
