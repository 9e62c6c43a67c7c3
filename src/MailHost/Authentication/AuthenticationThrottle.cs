using System.Net;
using System.Security.Cryptography;
using System.Text;
using MailHost.Connections;
using MailHost.Hosting;
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
/// matched an account (so <c>alice</c> and <c>Alice@example.com</c> share one counter), otherwise the form the
/// resolver would look it up by (<see cref="IAuthIdentityResolver.GetLookupKeyAsync"/>). Wrong passwords are
/// remembered only as HMAC-SHA-256 values under a random key made when the process starts, never in clear.
/// The throttle is the one piece of authentication state every authenticator of a host shares, so it also holds
/// the limits on empty passwords, the choice of which unchecked refusals reach the login history, and the cache of
/// successful password checks (<see cref="VerificationCacheOptions"/>).
/// </remarks>
internal sealed partial class AuthenticationThrottle
{
    private readonly AuthenticationThrottleOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly IPNetwork[] _exemptNetworks;
    private readonly byte[] _hashKey = RandomNumberGenerator.GetBytes(32);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly UncheckedAttemptRecorder _recorder;
    private DateTimeOffset _lastSweep;

    /// <summary>Creates a throttle with the configured options.</summary>
    /// <exception cref="InvalidOperationException">An exempt network is not valid CIDR text.</exception>
    /// <exception cref="MailHostConfigurationException">A limit or interval is out of range; the message names the key.</exception>
    public AuthenticationThrottle(IOptions<AuthenticationOptions> options, TimeProvider timeProvider, ILogger<AuthenticationThrottle>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options.Value.Throttle ?? new AuthenticationThrottleOptions();
        var cache = options.Value.VerificationCache ?? new VerificationCacheOptions();
        Validate(_options, cache);
        _timeProvider = timeProvider;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _exemptNetworks = [.. _options.ExemptNetworks.Select(ParseNetwork)];
        _lastSweep = timeProvider.GetUtcNow();
        _recorder = new UncheckedAttemptRecorder(_options.UncheckedRecordInterval, Math.Max(_options.MaxEntries, 1));
        VerificationCache = new PasswordVerificationCache(cache);
    }

    /// <summary>The successful password checks remembered for this host's authenticators.</summary>
    internal PasswordVerificationCache VerificationCache { get; }

    /// <summary>The first configured delay: what an empty password over the limit waits.</summary>
    internal TimeSpan FirstDelay => _options.Enabled && _options.Delays.Count > 0 ? _options.Delays[0] : TimeSpan.Zero;

    /// <summary>The longest configured delay: what a login blocked by failures elsewhere waits.</summary>
    internal TimeSpan LongestDelay => _options.Enabled && _options.Delays.Count > 0 ? _options.Delays.Max() : TimeSpan.Zero;

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

    /// <summary>
    /// Whether <paramref name="address"/> or <paramref name="login"/> is blocked now. The authenticators still check the
    /// password of a login blocked by failures elsewhere when it comes from an address without failures of its own.
    /// </summary>
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
    /// Whether an attempt may go on to its password check. A login blocked by failures elsewhere does not refuse an
    /// address that has no failures of its own in <see cref="AuthenticationThrottleOptions.FailureWindow"/> (and is
    /// not exempt, whose failures are not counted): the owner keeps a way in while strangers guess.
    /// </summary>
    internal ThrottleVerdict Evaluate(IPAddress? address, string? login)
    {
        if (!_options.Enabled)
        {
            return ThrottleVerdict.Open;
        }

        var now = _timeProvider.GetUtcNow();
        var addressKey = AddressKey(address);
        lock (_lock)
        {
            if (IsBanned(addressKey, now))
            {
                return ThrottleVerdict.Blocked;
            }

            if (!IsBanned(LoginKey(login), now))
            {
                return ThrottleVerdict.Open;
            }

            return addressKey is not null && Failures(addressKey, now) == 0 ? ThrottleVerdict.LoginBlockedElsewhere : ThrottleVerdict.Blocked;
        }
    }

    /// <summary>The failures of <paramref name="login"/> in the ban window and the addresses they came from (at most 64 told apart).</summary>
    internal (int Failures, int Addresses) DescribeLogin(string? login)
    {
        var key = LoginKey(login);
        lock (_lock)
        {
            return key is not null && _entries.TryGetValue(key, out var entry) ? (entry.DayFailures, entry.AddressCount) : (0, 0);
        }
    }

    /// <summary>
    /// Counts an empty password from <paramref name="address"/> for <paramref name="login"/>; returns whether it is
    /// within <see cref="AuthenticationThrottleOptions.EmptyPasswordLimit"/> for both. Never a failure, never a ban.
    /// </summary>
    internal bool RecordEmptyPassword(IPAddress? address, string? login)
    {
        var limit = _options.EmptyPasswordLimit;
        if (!_options.Enabled || limit <= 0)
        {
            return true;
        }

        var now = _timeProvider.GetUtcNow();
        lock (_lock)
        {
            SweepIfDue(now);
            var fromAddress = CountEmpty(AddressKey(address), now);
            var forLogin = CountEmpty(LoginKey(login), now);
            return fromAddress <= limit && forLogin <= limit;
        }
    }

    /// <summary>Whether an attempt refused without a password check goes to the login history (see
    /// <see cref="AuthenticationThrottleOptions.UncheckedRecordInterval"/>).</summary>
    internal bool ShouldRecordUnchecked(IPAddress? address, string? login) =>
        _recorder.ShouldRecord(LoginKey(login), AddressKey(address) ?? address?.ToString(), _timeProvider.GetUtcNow());

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
        var addressKey = AddressKey(address);
        lock (_lock)
        {
            SweepIfDue(now);
            var addressFailures = Count(addressKey, hash, now, _options.AddressBanThreshold, null);
            var loginFailures = Count(LoginKey(login), hash, now, _options.LoginBanThreshold, addressKey);
            return DelayFor(Math.Max(addressFailures, loginFailures));
        }
    }

    /// <summary>Forgets the failures of <paramref name="login"/> after it logged in. The address keeps its count, so
    /// that one valid account cannot launder guesses against others. A blocked login stays blocked (only its delay
    /// count starts again): the owner getting in from a clean address does not end an attack from elsewhere.</summary>
    public void RecordSuccess(string? login)
    {
        if (LoginKey(login) is { } key)
        {
            var now = _timeProvider.GetUtcNow();
            lock (_lock)
            {
                if (_entries.TryGetValue(key, out var entry) && entry.BannedUntil > now)
                {
                    entry.ForgetRecentFailures();
                }
                else
                {
                    _entries.Remove(key);
                }
            }
        }
    }

    private static void Validate(AuthenticationThrottleOptions throttle, VerificationCacheOptions cache)
    {
        const string Throttle = AuthenticationOptions.SectionName + ":Throttle:";
        const string Cache = AuthenticationOptions.SectionName + ":VerificationCache:";
        if (throttle.EmptyPasswordLimit < 0)
        {
            throw MailHostConfigurationException.For(Throttle + nameof(throttle.EmptyPasswordLimit), $"{throttle.EmptyPasswordLimit} is negative; use 0 for no limit.");
        }

        if (throttle.EmptyPasswordWindow <= TimeSpan.Zero)
        {
            throw MailHostConfigurationException.For(Throttle + nameof(throttle.EmptyPasswordWindow), $"{throttle.EmptyPasswordWindow} is not a positive time span such as 00:01:00.");
        }

        if (throttle.UncheckedRecordInterval < TimeSpan.Zero)
        {
            throw MailHostConfigurationException.For(Throttle + nameof(throttle.UncheckedRecordInterval), $"{throttle.UncheckedRecordInterval} is negative; use 00:00:00 to record every attempt.");
        }

        if (cache.Lifetime < TimeSpan.Zero)
        {
            throw MailHostConfigurationException.For(Cache + nameof(cache.Lifetime), $"{cache.Lifetime} is negative; use 00:00:00 to turn the cache off.");
        }

        if (cache.MaxEntries < 1)
        {
            throw MailHostConfigurationException.For(Cache + nameof(cache.MaxEntries), $"{cache.MaxEntries} is not a positive number of entries.");
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

    private Entry GetOrAdd(string key, DateTimeOffset now)
    {
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
        return entry;
    }

    private int CountEmpty(string? key, DateTimeOffset now)
    {
        if (key is null)
        {
            return 0;
        }

        var entry = GetOrAdd(key, now);
        if (now - entry.EmptyWindowStart >= _options.EmptyPasswordWindow)
        {
            entry.EmptyWindowStart = now;
            entry.EmptyPasswords = 0;
        }

        entry.EmptyPasswords = Math.Min(entry.EmptyPasswords + 1, int.MaxValue - 1);
        return entry.EmptyPasswords;
    }

    /// <param name="key">The address or login key.</param>
    /// <param name="hash">The keyed hash of the wrong password, or null when there is none to compare.</param>
    /// <param name="now">The time.</param>
    /// <param name="banThreshold">Failures in the ban window that block the key.</param>
    /// <param name="fromAddress">For a login key, the address key the failure came from (told apart for the log).</param>
    private int Count(string? key, byte[]? hash, DateTimeOffset now, int banThreshold, string? fromAddress)
    {
        if (key is null)
        {
            return 0;
        }

        var entry = GetOrAdd(key, now);
        if (hash is not null && entry.RemembersPassword(hash))
        {
            // RFC-free policy shared with Dovecot: the same wrong password again is a stale client, not a guess.
            return Math.Max(entry.Failures, 1);
        }

        entry.Failures++;
        entry.LastFailure = now;
        entry.DayFailures++;
        entry.CountAddress(fromAddress);
        if (hash is not null)
        {
            entry.RememberPassword(hash, _options.RepeatedPasswordMemory);
        }

        if (banThreshold > 0 && entry.DayFailures >= banThreshold && entry.BannedUntil <= now)
        {
            entry.BannedUntil = now + _options.BanDuration;
            if (key.StartsWith("l:", StringComparison.Ordinal))
            {
                Log.LoginBlocked(_logger, key[2..], entry.DayFailures, entry.AddressCount, entry.BannedUntil);
                MailHostMetrics.AuthenticationBlocks.Add(1, new KeyValuePair<string, object?>("scope", "login"));
            }
            else
            {
                Log.Blocked(_logger, key, entry.DayFailures, entry.BannedUntil);
                MailHostMetrics.AuthenticationBlocks.Add(1, new KeyValuePair<string, object?>("scope", "address"));
            }
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
        // Told apart by hash, and only the first 64: enough to see a distributed attack, bounded in memory.
        private const int MaxAddressesTold = 64;

        private readonly List<byte[]> _recentPasswords = [];
        private HashSet<int>? _addresses;

        public int Failures { get; set; }

        public DateTimeOffset LastFailure { get; set; } = now;

        public int DayFailures { get; set; }

        public DateTimeOffset DayStart { get; set; } = now;

        public DateTimeOffset BannedUntil { get; set; } = DateTimeOffset.MinValue;

        public DateTimeOffset LastSeen { get; set; } = now;

        public int EmptyPasswords { get; set; }

        public DateTimeOffset EmptyWindowStart { get; set; } = now;

        /// <summary>Distinct addresses among this login's failures in the ban window (at most 64).</summary>
        public int AddressCount => _addresses?.Count ?? 0;

        public void CountAddress(string? addressKey)
        {
            if (addressKey is not null && AddressCount < MaxAddressesTold)
            {
                (_addresses ??= []).Add(StringComparer.Ordinal.GetHashCode(addressKey));
            }
        }

        public void ForgetRecentFailures()
        {
            Failures = 0;
            _recentPasswords.Clear();
        }

        public void Expire(DateTimeOffset now, AuthenticationThrottleOptions options)
        {
            if (Failures > 0 && now - LastFailure >= options.FailureWindow)
            {
                ForgetRecentFailures();
            }

            if (now - DayStart >= options.BanWindow)
            {
                DayStart = now;
                DayFailures = 0;
                _addresses = null;
            }

            if (EmptyPasswords > 0 && now - EmptyWindowStart >= options.EmptyPasswordWindow)
            {
                EmptyPasswords = 0;
            }
        }

        public bool IsIdle(DateTimeOffset now) => Failures == 0 && DayFailures == 0 && EmptyPasswords == 0 && BannedUntil <= now;

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
        [LoggerMessage(EventId = 1111, Level = LogLevel.Warning,
            Message = "Authentication blocked for {Key} after {Failures} failures, until {Until}")]
        public static partial void Blocked(ILogger logger, string key, int failures, DateTimeOffset until);

        [LoggerMessage(EventId = 1112, Level = LogLevel.Warning,
            Message = "Login '{Login}' blocked after {Failures} failures from {Addresses} addresses (64 means 64 or more), until {Until}; addresses without failures of their own are still let through to the password check, delayed")]
        public static partial void LoginBlocked(ILogger logger, string login, int failures, int addresses, DateTimeOffset until);
    }
}
