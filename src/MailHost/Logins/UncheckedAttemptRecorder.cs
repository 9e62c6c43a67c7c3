using MailHost.Accounts;

namespace MailHost.Logins;

/// <summary>
/// Decides which attempts refused without a password check (empty password, blocked) are written to the login
/// history: the first per login and address in <see cref="AuthenticationThrottleOptions.UncheckedRecordInterval"/>,
/// and no more than <see cref="LoginRecord.MaxUncheckedPerAccount"/> per login and per address in it. A loop of
/// such attempts then costs no synced database write each, and cannot push the owner's logins out of the bounded
/// history. Thread-safe; memory is bounded, and when full it records nothing rather than forget.
/// </summary>
internal sealed class UncheckedAttemptRecorder(TimeSpan interval, int maxEntries)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private DateTimeOffset _lastSweep = DateTimeOffset.MinValue;

    /// <summary>Whether an unchecked attempt for <paramref name="loginKey"/> from <paramref name="addressKey"/> is recorded.</summary>
    public bool ShouldRecord(string? loginKey, string? addressKey, DateTimeOffset now)
    {
        if (interval <= TimeSpan.Zero)
        {
            return true;
        }

        var pairKey = "p:" + loginKey + "\n" + addressKey;
        var perLogin = loginKey is null ? null : "l:" + loginKey;
        var perAddress = addressKey is null ? null : "a:" + addressKey;
        lock (_lock)
        {
            Sweep(now);
            if (Current(pairKey, now) > 0
                || Current(perLogin, now) >= LoginRecord.MaxUncheckedPerAccount
                || Current(perAddress, now) >= LoginRecord.MaxUncheckedPerAccount
                || _windows.Count + 3 > maxEntries)
            {
                return false;
            }

            Count(pairKey, now);
            Count(perLogin, now);
            Count(perAddress, now);
            return true;
        }
    }

    private int Current(string? key, DateTimeOffset now) =>
        key is not null && _windows.TryGetValue(key, out var window) && now - window.Start < interval ? window.Count : 0;

    private void Count(string? key, DateTimeOffset now)
    {
        if (key is null)
        {
            return;
        }

        if (!_windows.TryGetValue(key, out var window) || now - window.Start >= interval)
        {
            window = new Window(now, 0);
        }

        _windows[key] = window with { Count = window.Count + 1 };
    }

    private void Sweep(DateTimeOffset now)
    {
        // Expired windows go once per interval, or once a second while the table is full.
        var full = _windows.Count + 3 > maxEntries;
        if (now - _lastSweep < (full ? TimeSpan.FromSeconds(1) : interval))
        {
            return;
        }

        _lastSweep = now;
        foreach (var (key, window) in _windows)
        {
            if (now - window.Start >= interval)
            {
                _windows.Remove(key);
            }
        }
    }

    private readonly record struct Window(DateTimeOffset Start, int Count);
}
