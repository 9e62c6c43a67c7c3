using MailHost.Connections;
using Microsoft.Extensions.Logging;

namespace MailHost.MailAuthentication;

/// <summary>
/// Fails mail authentication lookups fast while the resolver does not answer. Without it, a dead resolver costs every
/// message the whole time budget (each of its lookups waits out its timeout), and a queue of messages keeps SMTP
/// sessions open that long. After <c>threshold</c> lookups in a row go unanswered (timed out or the resolver threw),
/// lookups fail at once as temporary failures for <c>period</c>; then one lookup is let through as a probe: an answer
/// ends the fast failing, another silence starts a new period. Any answer (found, no record, no domain, server
/// failure) is proof of life: only silence counts. Shared by all messages; thread-safe.
/// </summary>
internal sealed class DnsResolverHealth
{
    private readonly int _threshold;
    private readonly TimeSpan _period;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private int _unansweredInARow;
    private bool _failingFast;
    private long _failingFastSince;
    private long _probeAt;

    /// <param name="threshold">Unanswered lookups in a row that start the fast failing; 0 turns it off.</param>
    /// <param name="period">How long lookups fail at once before one probes the resolver again.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">Where the start and end of fast failing are logged.</param>
    public DnsResolverHealth(int threshold, TimeSpan period, TimeProvider timeProvider, ILogger logger)
    {
        _threshold = threshold;
        _period = period;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Whether lookups fail at once now.</summary>
    public bool IsFailingFast
    {
        get
        {
            lock (_gate)
            {
                return _failingFast;
            }
        }
    }

    /// <summary>
    /// Whether a lookup may go to the resolver. While failing fast, no, except for the first caller after each period,
    /// whose lookup probes the resolver (the next probe is then a period away whatever it finds).
    /// </summary>
    public bool TryBegin()
    {
        lock (_gate)
        {
            if (!_failingFast)
            {
                return true;
            }

            var now = _timeProvider.GetTimestamp();
            if (now >= _probeAt)
            {
                _probeAt = now + PeriodInTicks();
                return true;
            }
        }

        MailHostMetrics.DnsLookupsFailedFast.Add(1);
        return false;
    }

    /// <summary>The resolver answered a lookup, whatever the answer.</summary>
    public void Answered()
    {
        TimeSpan? downFor = null;
        lock (_gate)
        {
            _unansweredInARow = 0;
            if (_failingFast)
            {
                _failingFast = false;
                downFor = _timeProvider.GetElapsedTime(_failingFastSince);
            }
        }

        if (downFor is { } elapsed)
        {
            MailHostMetrics.DnsResolverFailingFast.Add(-1);
            MailAuthenticationLog.ResolverAnswersAgain(_logger, elapsed);
        }
    }

    /// <summary>A lookup timed out or the resolver threw.</summary>
    public void Unanswered()
    {
        int count;
        lock (_gate)
        {
            _unansweredInARow++;
            if (_threshold <= 0 || _failingFast || _unansweredInARow < _threshold)
            {
                return;
            }

            _failingFast = true;
            _failingFastSince = _timeProvider.GetTimestamp();
            _probeAt = _failingFastSince + PeriodInTicks();
            count = _unansweredInARow;
        }

        MailHostMetrics.DnsResolverFailingFast.Add(1);
        MailAuthenticationLog.ResolverFailingFast(_logger, count, _period);
    }

    private long PeriodInTicks() => (long)(_period.TotalSeconds * _timeProvider.TimestampFrequency);
}
