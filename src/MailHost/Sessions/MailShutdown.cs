using System.Diagnostics;
using MailHost.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MailHost.Sessions;

/// <summary>
/// The graceful stop as every mail session sees it, one per host. <see cref="Requested"/> is cancelled as soon as the
/// host begins to stop: sessions waiting for the client answer with the protocol's shutdown reply and close.
/// <see cref="Deadline"/> is cancelled <see cref="MailHostOptions.ShutdownTimeout"/> later: a transfer or command
/// still running then is cut without an acknowledgement. It counts how the sessions ended and logs the summary once
/// the host has stopped.
/// </summary>
/// <remarks>
/// Kestrel stops listening right after <see cref="IHostApplicationLifetime.ApplicationStopping"/> and then waits for
/// the open connections until the host's own <c>HostOptions.ShutdownTimeout</c>, after which it aborts them;
/// <see cref="HostShutdownTimeoutSetup"/> keeps that wait longer than this deadline.
/// </remarks>
internal sealed class MailShutdown : IDisposable
{
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenRegistration _onStopping;
    private readonly CancellationTokenRegistration _onStopped;
    private readonly ILogger _logger;
    private long _stoppingSince;
    private int _idle;
    private int _finished;
    private int _cut;

    public MailShutdown(
        IHostApplicationLifetime lifetime,
        IOptions<MailHostOptions> options,
        IOptions<HostOptions> hostOptions,
        TimeProvider timeProvider,
        ILogger<MailShutdown> logger)
    {
        ArgumentNullException.ThrowIfNull(lifetime);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hostOptions);
        _logger = logger;
        Timeout = options.Value.ShutdownTimeout;
        if (hostOptions.Value.ShutdownTimeout < Timeout)
        {
            MailShutdownLog.HostTimeoutTooShort(logger, hostOptions.Value.ShutdownTimeout.TotalSeconds, Timeout.TotalSeconds);
        }

        Requested = lifetime.ApplicationStopping;
        _deadline = new CancellationTokenSource(System.Threading.Timeout.InfiniteTimeSpan, timeProvider);
        _onStopping = Requested.UnsafeRegister(static s => ((MailShutdown)s!).OnStopping(), this);
        _onStopped = lifetime.ApplicationStopped.UnsafeRegister(static s => ((MailShutdown)s!).OnStopped(), this);
    }

    /// <summary>How long transfers in progress may take once the stop began.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Cancelled when the host begins to stop: no new transfer starts, waits for the client end.</summary>
    public CancellationToken Requested { get; }

    /// <summary>Cancelled <see cref="Timeout"/> after <see cref="Requested"/>: whatever still runs is cut.</summary>
    public CancellationToken Deadline => _deadline.Token;

    /// <summary>Counts a session the stop ended, for the summary.</summary>
    public void Record(MailShutdownOutcome outcome)
    {
        switch (outcome)
        {
            case MailShutdownOutcome.Idle:
                Interlocked.Increment(ref _idle);
                break;
            case MailShutdownOutcome.TransferFinished:
                Interlocked.Increment(ref _finished);
                break;
            default:
                Interlocked.Increment(ref _cut);
                break;
        }
    }

    public void Dispose()
    {
        _onStopping.Dispose();
        _onStopped.Dispose();
        _deadline.Dispose();
    }

    private void OnStopping()
    {
        _stoppingSince = Stopwatch.GetTimestamp();
        MailShutdownLog.Stopping(_logger, Timeout.TotalSeconds);
        _deadline.CancelAfter(Timeout > TimeSpan.Zero ? Timeout : TimeSpan.Zero);
    }

    private void OnStopped()
    {
        var elapsed = _stoppingSince == 0 ? 0 : (long)Stopwatch.GetElapsedTime(_stoppingSince).TotalMilliseconds;
        MailShutdownLog.Stopped(_logger, elapsed, Volatile.Read(ref _idle), Volatile.Read(ref _finished), Volatile.Read(ref _cut));
    }
}
