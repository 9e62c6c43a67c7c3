using System.Net;
using System.Security.Cryptography;
using System.Text;
using MailHost.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MailHost.Authentication;

/// <summary>
/// Remembers failed logins per remote address and per login, and turns them into delays and temporary blocks
/// (see <see cref="AuthenticationThrottleOptions"/>). Thread-safe; memory is bounded by
/// <see cref="AuthenticationThrottleOptions.MaxEntries"/>. State is per process, not shared between hosts.
/// </summary>
/// <remarks>
/// The <c>login</c> argument everywhere is the throttle key of the login: the resolved account name when the login
/// matched an account (so <c>alice</c> and <c>Alice@example.com</c> share one counter), otherwise the login the
/// client typed, lower-cased. Wrong passwords are remembered only as HMAC-SHA-256 values under a random key made
/// when the process starts, never in clear.
/// </remarks>
public sealed partial class AuthenticationThrottle
{
    private readonly AuthenticationThrottleOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IPNetwork[] _exemptNetworks;
    private readonly byte[] _hashKey = RandomNumberGenerator.GetBytes(32);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private DateTimeOffset _lastSweep;

    /// <summary>Creates a throttle with the configured options.</summary>
    /// <exception cref="InvalidOperationException">An exempt network is not valid CIDR text.</exception>
    public AuthenticationThrottle(IOptions<AuthenticationOptions> options, TimeProvider timeProvider, ILogger<AuthenticationThrottle>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options.Value.Throttle ?? new AuthenticationThrottleOptions();
        _timeProvider = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _exemptNetworks = [.. _options.ExemptNetworks.Select(ParseNetwork)];
        _lastSweep = timeProvider.GetUtcNow();
    }

    /// <summary>Number of addresses and logins currently remembered.</summary>
    public int EntryCount
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Whether attempts from <paramref name="address"/> or for <paramref name="login"/> are blocked now.</summary>
    public bool IsBlocked(IPAddress? address, string? login)
    {
        if (!_options.Enabled)
        {
            return false;
        }

        var now = _timeProvider.GetUtcNow();
        lock (_lock)
        {
            return IsBanned(AddressKey(address), now) || IsBanned(LoginKey(login), now);
        }
    }

    /// <summary>
    /// The delay earned by earlier failures: how long to wait before answering an attempt that succeeds now.
    /// Zero when neither the address nor the login has recent failures.
    /// </summary>
    public TimeSpan GetDelay(IPAddress? address, string? login)
    {
        if (!_options.Enabled)
        {
            return TimeSpan.Zero;
        }

        var now = _timeProvider.GetUtcNow();
        lock (_lock)
        {
            return DelayFor(Math.Max(Failures(AddressKey(address), now), Failures(LoginKey(login), now)));
        }
    }

    /// <summary>
    /// Counts a failed attempt and returns how long to wait before answering it. A password equal to one of the
    /// recent wrong passwords for the same address or login is not counted again (a client retrying a stale
    /// password); pass <see langword="null"/> when there is no password to compare (SCRAM), which always counts.
    /// </summary>
    public TimeSpan RecordFailure(IPAddress? address, string? login, string? password)
    {
        if (!_options.Enabled)
        {
            return TimeSpan.Zero;
        }

        var now = _timeProvider.GetUtcNow();
        var hash = password is null ? null : HashAttempt(login, password);
        lock (_lock)
        {
            SweepIfDue(now);
            var addressFailures = Count(AddressKey(address), hash, now, _options.AddressBanThreshold);
            var loginFailures = Count(LoginKey(login), hash, now, _options.LoginBanThreshold);
            return DelayFor(Math.Max(addressFailures, loginFailures));
        }
    }

    /// <summary>Forgets the failures of <paramref name="login"/> after it logged in. The address keeps its count, so
    /// that one valid account cannot launder guesses against others.</summary>
    public void RecordSuccess(string? login)
    {
        if (LoginKey(login) is { } key)
        {
            lock (_lock)
            {
                _entries.Remove(key);
            }
        }
    }

    private static IPNetwork ParseNetwork(string text) =>
        IPNetwork.TryParse(text, out var network)
            ? network
            : throw new InvalidOperationException(
                $"MailHost:Auth:Throttle:ExemptNetworks: '{text}' is not a network in CIDR form such as 10.0.0.0/8 or 2001:db8::/32.");

    private static string? LoginKey(string? login) => string.IsNullOrEmpty(login) ? null : "l:" + login;

    private string? AddressKey(IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in _exemptNetworks)
        {
            if (network.Contains(address))
            {
                return null;
            }
        }

        // One IPv6 subscriber holds a whole prefix: count the network, not the address (the rule every per-client
        // limit shares).
        return "a:" + ClientAddressRange.Of(address, ClientAddressRange.DefaultIPv4PrefixLength, _options.IPv6PrefixLength);
    }

    private byte[] HashAttempt(string? login, string password)
    {
        // The login is part of the hash so that one common password tried against many accounts still escalates.
        var bytes = Encoding.UTF8.GetBytes((login ?? string.Empty) + "\0" + password);
        try
        {
            return HMACSHA256.HashData(_hashKey, bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private TimeSpan DelayFor(int failures)
    {
        var delays = _options.Delays;
        return failures <= 0 || delays.Count == 0 ? TimeSpan.Zero : delays[Math.Min(failures, delays.Count) - 1];
    }

    private bool IsBanned(string? key, DateTimeOffset now) =>
        key is not null && _entries.TryGetValue(key, out var entry) && entry.BannedUntil > now;

    private int Failures(string? key, DateTimeOffset now)
    {
        if (key is null || !_entries.TryGetValue(key, out var entry))
        {
            return 0;
        }

        entry.Expire(now, _options);
        return entry.Failures;
    }

    private int Count(string? key, byte[]? hash, DateTimeOffset now, int banThreshold)
    {
        if (key is null)
        {
            return 0;
        }

        if (!_entries.TryGetValue(key, out var entry))
        {
            entry = new Entry(now);
            _entries[key] = entry;
            if (_entries.Count > Math.Max(_options.MaxEntries, 1))
            {
                Evict(now);
            }
        }

        entry.Expire(now, _options);
        entry.LastSeen = now;
        if (hash is not null && entry.RemembersPassword(hash))
        {
            // RFC-free policy shared with Dovecot: the same wrong password again is a stale client, not a guess.
            return Math.Max(entry.Failures, 1);
        }

        entry.Failures++;
        entry.LastFailure = now;
        entry.DayFailures++;
        if (hash is not null)
        {
            entry.RememberPassword(hash, _options.RepeatedPasswordMemory);
        }

        if (banThreshold > 0 && entry.DayFailures >= banThreshold && entry.BannedUntil <= now)
        {
            entry.BannedUntil = now + _options.BanDuration;
            Log.Blocked(_logger, key, entry.DayFailures, entry.BannedUntil);
        }

        return entry.Failures;
    }

    private void SweepIfDue(DateTimeOffset now)
    {
        if (now - _lastSweep < TimeSpan.FromMinutes(1))
        {
            return;
        }

        _lastSweep = now;
        foreach (var (key, entry) in _entries)
        {
            entry.Expire(now, _options);
            if (entry.IsIdle(now))
            {
                _entries.Remove(key);
            }
        }
    }

    private void Evict(DateTimeOffset now)
    {
        _lastSweep = DateTimeOffset.MinValue;
        SweepIfDue(now);
        var target = Math.Max(_options.MaxEntries, 1) * 9 / 10;
        if (_entries.Count <= target)
        {
            return;
        }

        // Drop unblocked entries first, least recently seen first: keeping bans is what stops an attack.
        var victims = _entries
            .OrderBy(pair => pair.Value.BannedUntil > now)
            .ThenBy(pair => pair.Value.LastSeen)
            .Take(_entries.Count - target)
            .Select(pair => pair.Key)
            .ToList();
        foreach (var key in victims)
        {
            _entries.Remove(key);
        }
    }

    private sealed class Entry(DateTimeOffset now)
    {
        private readonly List<byte[]> _recentPasswords = [];

        public int Failures { get; set; }

        public DateTimeOffset LastFailure { get; set; } = now;

        public int DayFailures { get; set; }

        public DateTimeOffset DayStart { get; set; } = now;

        public DateTimeOffset BannedUntil { get; set; } = DateTimeOffset.MinValue;

        public DateTimeOffset LastSeen { get; set; } = now;

        public void Expire(DateTimeOffset now, AuthenticationThrottleOptions options)
        {
            if (Failures > 0 && now - LastFailure >= options.FailureWindow)
            {
                Failures = 0;
                _recentPasswords.Clear();
            }

            if (now - DayStart >= options.BanWindow)
            {
                DayStart = now;
                DayFailures = 0;
            }
        }

        public bool IsIdle(DateTimeOffset now) => Failures == 0 && DayFailures == 0 && BannedUntil <= now;

        public bool RemembersPassword(byte[] hash) =>
            _recentPasswords.Exists(known => CryptographicOperations.FixedTimeEquals(known, hash));

        public void RememberPassword(byte[] hash, int capacity)
        {
            if (capacity <= 0)
            {
                return;
            }

            if (_recentPasswords.Count >= capacity)
            {
                _recentPasswords.RemoveAt(0);
            }

            _recentPasswords.Add(hash);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1201, Level = LogLevel.Warning,
            Message = "Authentication blocked for {Key} after {Failures} failures, until {Until}")]
        public static partial void Blocked(ILogger logger, string key, int failures, DateTimeOffset until);
    }
}
