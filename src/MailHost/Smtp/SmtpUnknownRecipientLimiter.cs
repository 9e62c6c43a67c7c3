using System.Collections.Concurrent;
using System.Net;
using MailHost.Hosting;
using Microsoft.Extensions.Options;

namespace MailHost.Smtp;

/// <summary>
/// Counts unknown local recipients per client in a fixed window, against directory harvesting (SECURITY D2:
/// rejecting unknown recipients on MX is right, but it must be rate-limited). A client is an address range as
/// <see cref="MailLimitsOptions"/> groups them, so one IPv6 host cannot probe from every address of its /64. Shared by
/// every SMTP connection of the process; safe for concurrent use.
/// </summary>
internal sealed class SmtpUnknownRecipientLimiter(IOptions<SmtpOptions> options, MailLimitsOptions limits, TimeProvider timeProvider)
{
    private const int PruneAbove = 10_000;

    private readonly ConcurrentDictionary<IPNetwork, Window> _windows = new();

    /// <summary>Whether <paramref name="client"/> has used up its unknown recipients for the current window.</summary>
    public bool IsBlocked(IPAddress? client)
    {
        var limit = options.Value.MaxUnknownRecipientsPerClient;
        if (client is null || limit <= 0 || !_windows.TryGetValue(limits.RangeOf(client), out var window))
        {
            return false;
        }

        return !IsExpired(window) && window.Count >= limit;
    }

    /// <summary>Counts one unknown recipient from <paramref name="client"/>.</summary>
    public void Record(IPAddress? client)
    {
        if (client is null || options.Value.MaxUnknownRecipientsPerClient <= 0)
        {
            return;
        }

        if (_windows.Count > PruneAbove)
        {
            foreach (var (range, old) in _windows)
            {
                if (IsExpired(old))
                {
                    _windows.TryRemove(range, out _);
                }
            }
        }

        var now = timeProvider.GetUtcNow();
        _windows.AddOrUpdate(
            limits.RangeOf(client),
            static (_, now) => new Window(now, 1),
            (_, window, now) => IsExpired(window) ? new Window(now, 1) : window with { Count = window.Count + 1 },
            now);
    }

    private bool IsExpired(Window window) => timeProvider.GetUtcNow() - window.Start >= options.Value.UnknownRecipientWindow;

    private sealed record Window(DateTimeOffset Start, int Count);
}
