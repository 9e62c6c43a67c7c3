namespace MailHost.Logins;

/// <summary>
/// How failed logins slow down and, past a daily threshold, block a client. Failures are counted per remote address
/// (IPv4 per address, IPv6 per <see cref="IPv6PrefixLength"/> network) and per login (the resolved account name, or
/// the lower-cased login when it matched none).
/// </summary>
/// <remarks>
/// Defaults follow Dovecot's auth penalty (2 s doubling to a 15 s cap) and Stalwart's auto-ban (100 failed
/// authentications per day). Neither a repeated identical wrong password nor an empty password escalates: those
/// come from a misconfigured client, not from guessing; empty passwords are rate-limited instead. Because a successful login is not delayed beyond the
/// penalty earned by earlier failures, parallel connections from one address can still make several guesses at
/// once; the daily ban bounds their total.
/// </remarks>
public sealed class AuthenticationThrottleOptions
{
    /// <summary>Whether failures are delayed and counted at all. Default <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Delay before answering the n-th counted failure (the last entry repeats): 2 s, 4 s, 8 s, 15 s. A later
    /// successful login waits the delay earned by the failures before it. Configuration binding appends to this
    /// list; clear it first to replace it.
    /// </summary>
    public IList<TimeSpan> Delays { get; } =
        [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(15)];

    /// <summary>Failures older than this no longer raise the delay (the count starts again). Default 15 minutes.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Counted failures from one address (or IPv6 network) within <see cref="BanWindow"/> that block it. 0 disables. Default 100.</summary>
    public int AddressBanThreshold { get; set; } = 100;

    /// <summary>
    /// Counted failures for one login within <see cref="BanWindow"/> that block the login. 0 disables. Default 100.
    /// The block holds for every address with failures of its own in <see cref="FailureWindow"/>, for exempt networks,
    /// and it answers every wrong password; an address without recent failures is still let through to the password
    /// check (waiting the longest of <see cref="Delays"/>), so that strangers cannot lock the owner out.
    /// </summary>
    public int LoginBanThreshold { get; set; } = 100;

    /// <summary>The window the ban thresholds count in. Default one day.</summary>
    public TimeSpan BanWindow { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long a block lasts. Default one day.</summary>
    public TimeSpan BanDuration { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How many recent wrong passwords are remembered (as keyed hashes) per address and per login, so that
    /// a repeat does not escalate. Default 10 (as Dovecot).</summary>
    public int RepeatedPasswordMemory { get; set; } = 10;

    /// <summary>
    /// IPv6 clients are grouped by this prefix length, because one subscriber usually holds a whole /64 and can use
    /// any address in it. Default 64; use 48 to treat a whole site as one client (as Dovecot does).
    /// </summary>
    public int IPv6PrefixLength { get; set; } = 64;

    /// <summary>Most entries (addresses plus logins) kept; beyond it the least recently seen unblocked entries are
    /// dropped first. Bounds memory under a distributed attack. Default 100 000.</summary>
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>
    /// Empty passwords answered per address and per login within <see cref="EmptyPasswordWindow"/> before further
    /// ones are refused as throttled (after the first of <see cref="Delays"/>). Below it an empty password is refused
    /// at once and counts as no failure, for clients that try one before the real password. 0 disables the limit.
    /// Default 20.
    /// </summary>
    public int EmptyPasswordLimit { get; set; } = 20;

    /// <summary>The window <see cref="EmptyPasswordLimit"/> counts in. Default one minute.</summary>
    public TimeSpan EmptyPasswordWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Attempts refused without a password check (an empty password, a blocked address or login) are written to the
    /// login history at most once per login and address in this interval, and at most ten times per login and ten
    /// times per address in it; the others are counted in the <c>mailhost.auth.attempts.unrecorded</c> metric only.
    /// So a loop of them costs no database write each and cannot wipe an account's history.
    /// <see cref="TimeSpan.Zero"/> records every one. Default 15 minutes.
    /// </summary>
    public TimeSpan UncheckedRecordInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Networks in CIDR form (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>) whose addresses are never delayed or blocked
    /// by address, e.g. a webmail front end. Their logins are still counted per login.
    /// </summary>
    public IList<string> ExemptNetworks { get; } = [];
}
