using System.Security.Cryptography;
using MailHost.Accounts;
using MailHost.Connections;
using Microsoft.Extensions.Logging;

namespace MailHost.Logins;

/// <summary>
/// What every attempt shares, whatever the protocol or mechanism: the login check, resolution, authzid policy,
/// throttle, secret verification (the account's password or one of its app passwords) with equal cost for unknown
/// logins, the login record and the log line.
/// </summary>
internal sealed partial class CredentialVerifier
{
    private readonly IAuthIdentityResolver _resolver;
    private readonly IAccountDirectory _directory;
    private readonly AuthenticationThrottle _throttle;
    private readonly PasswordVerificationCache _cache;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly ClientPolicySet _policies;
    private readonly int _iterations;
    private readonly Lazy<PasswordRecord> _dummyRecord;
    private readonly byte[] _processSecret = RandomNumberGenerator.GetBytes(32);
    private long _derivations;

    public CredentialVerifier(
        IAuthIdentityResolver resolver,
        IAccountDirectory directory,
        AuthenticationThrottle throttle,
        AuthenticationOptions options,
        TimeProvider timeProvider,
        ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(throttle);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (options.PasswordIterations < PasswordRecord.MinimumIterations)
        {
            throw new InvalidOperationException(
                $"MailHost:Auth:PasswordIterations is {options.PasswordIterations}; RFC 7677 requires at least {PasswordRecord.MinimumIterations}.");
        }

        _resolver = resolver;
        _directory = directory;
        _throttle = throttle;
        _cache = throttle.VerificationCache;
        _timeProvider = timeProvider;
        _logger = logger;
        _iterations = options.PasswordIterations;
        _policies = new ClientPolicySet(options.ClientPolicies);

        // Checked when a login is unknown, so that it costs the same PBKDF2 work as a wrong password.
        _dummyRecord = new(() => PasswordRecord.Create(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)), _iterations));
    }

    /// <summary>PBKDF2 derivations run by this verifier (checks, padding, re-derivations), for tests and diagnostics.</summary>
    public long Derivations => Interlocked.Read(ref _derivations);

    /// <summary>Checks a plain password (IMAP LOGIN, POP3 PASS, SASL PLAIN and LOGIN).</summary>
    public async ValueTask<AuthenticationResult> VerifyPasswordAsync(
        string login, string? authorizationId, string password, string mechanism, AuthenticationContext context, CancellationToken ct)
    {
        context.Mechanism = mechanism;
        var result = await VerifyPasswordAsync(new Attempt(login, mechanism, context), authorizationId, password, ct).ConfigureAwait(false);
        return Counted(context, result);
    }

    /// <summary>
    /// Checks a password sent with a plain command outside SASL (IMAP LOGIN, POP3 USER/PASS): recorded as
    /// <paramref name="mechanism"/>, and checked by client policies as <see cref="ClientPolicySettings.PasswordCommand"/>
    /// (IMAP LOGIN and SASL LOGIN are both recorded as "LOGIN", but a policy tells them apart).
    /// </summary>
    public async ValueTask<AuthenticationResult> VerifyPasswordCommandAsync(
        string login, string password, string mechanism, AuthenticationContext context, CancellationToken ct)
    {
        context.Mechanism = mechanism;
        var attempt = new Attempt(login, mechanism, context) { PolicyMechanism = ClientPolicySettings.PasswordCommand };
        var result = await VerifyPasswordAsync(attempt, null, password, ct).ConfigureAwait(false);
        return Counted(context, result);
    }

    private async ValueTask<AuthenticationResult> VerifyPasswordAsync(Attempt attempt, string? authorizationId, string password, CancellationToken ct)
    {
        var login = attempt.Login;
        if (!IsAuthorizationAllowed(login, authorizationId))
        {
            return await FailAuthorizationAsync(attempt, ct).ConfigureAwait(false);
        }

        await ResolveAsync(attempt, authorizationId, ct).ConfigureAwait(false);
        if (password.Length == 0)
        {
            return await RefuseEmptyPasswordAsync(attempt, ct).ConfigureAwait(false);
        }

        var verdict = _throttle.Evaluate(attempt.Address, attempt.ThrottleKey);
        if (verdict == ThrottleVerdict.Blocked)
        {
            return await RefuseBlockedAsync(attempt, ct).ConfigureAwait(false);
        }

        var penalty = PenaltyFor(attempt, verdict);
        var verified = await CheckSecretAsync(attempt, password, ct).ConfigureAwait(false);
        if (verdict == ThrottleVerdict.LoginBlockedElsewhere)
        {
            return await EndBlockedElsewhereAsync(attempt, verified && attempt.Refusal is null, password, penalty, ct).ConfigureAwait(false);
        }

        if (!verified)
        {
            return await FailAsync(attempt, password, AuthenticationStatus.InvalidCredentials, ct).ConfigureAwait(false);
        }

        return attempt.Refusal is { } refusal
            ? await RefuseAsync(attempt, refusal, password, ct).ConfigureAwait(false)
            : await SucceedAsync(attempt, penalty, ct).ConfigureAwait(false);
    }

    /// <summary>The default authorization policy: no authzid, or one equal to the authcid.</summary>
    private static bool IsAuthorizationAllowed(string login, string? authorizationId) =>
        string.IsNullOrEmpty(authorizationId) || string.Equals(authorizationId, login, StringComparison.Ordinal);

    /// <summary>
    /// Whether <paramref name="password"/> matches: from the verification cache when it remembers this account,
    /// record and password, otherwise with PBKDF2. Every path that does not hit the cache costs at least the
    /// configured iteration count, so an unknown login or an old record answers no faster than a current one. An old
    /// record that matches is re-derived when it is the account's own (<paramref name="upgradable"/>).
    /// </summary>
    private async ValueTask<bool> CheckPasswordAsync(AccountInfo? account, PasswordRecord? record, string password, bool upgradable, CancellationToken ct)
    {
        if (account is null || record is null)
        {
            CountDerivation();
            _dummyRecord.Value.Verify(password);
            return false;
        }

        var now = _timeProvider.GetUtcNow();
        var key = _cache.Enabled ? _cache.KeyFor(account.Name, record, password) : default;
        if (_cache.Enabled && _cache.Contains(key, now))
        {
            MailHostMetrics.PasswordChecks.Add(1, new KeyValuePair<string, object?>("cache", "hit"));
            return true;
        }

        MailHostMetrics.PasswordChecks.Add(1, new KeyValuePair<string, object?>("cache", "miss"));
        CountDerivation();
        var verified = record.Verify(password);
        if (record.Iterations < _iterations)
        {
            if (!verified)
            {
                // Pad a failed check of an old record to the configured cost: the time must not tell an old
                // record (an account that exists) from the dummy record of an unknown login.
                CountDerivation();
                CryptographicOperations.ZeroMemory(PasswordRecord.SaltPassword(password, record.Salt.Span, _iterations - record.Iterations));
                return false;
            }

            if (upgradable)
            {
                record = await UpgradeAsync(account.Name, record, password, ct).ConfigureAwait(false);
                key = _cache.Enabled ? _cache.KeyFor(account.Name, record, password) : default;
            }
        }

        if (verified)
        {
            _cache.Add(key, now);
        }

        return verified;
    }

    /// <summary>
    /// Re-derives an old record with the configured iteration count after a successful check (the only moment the
    /// server holds the password). The replacement is written only if the stored record is still the one checked,
    /// so a password changed meanwhile stays changed. Returns the record now stored as far as this check knows.
    /// </summary>
    private async ValueTask<PasswordRecord> UpgradeAsync(string accountName, PasswordRecord record, string password, CancellationToken ct)
    {
        CountDerivation();
        var replacement = PasswordRecord.Create(password, _iterations);
        bool replaced;
        try
        {
            replaced = await _directory.ReplacePasswordRecordAsync(accountName, record, replacement, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The login itself was verified: a directory that cannot write now gets another chance at the next one.
            Log.UpgradeFailed(_logger, ex, accountName);
            return record;
        }

        if (!replaced)
        {
            return record;
        }

        MailHostMetrics.PasswordUpgrades.Add(1);
        Log.Upgraded(_logger, accountName, record.Iterations, _iterations);
        return replacement;
    }

    private void CountDerivation() => Interlocked.Increment(ref _derivations);

    private async ValueTask ResolveAsync(Attempt attempt, string? authorizationId, CancellationToken ct)
    {
        if (!attempt.IsAcceptable)
        {
            return;
        }

        var request = new AuthIdentityRequest(
            attempt.Login,
            string.IsNullOrEmpty(authorizationId) ? null : authorizationId,
            attempt.Context.Protocol,
            attempt.Mechanism,
            attempt.Context.RemoteEndPoint,
            attempt.Context.IsTls);
        attempt.Account = await _resolver.ResolveAsync(request, ct).ConfigureAwait(false);
        if (attempt.Account is null)
        {
            attempt.LookupKey = await _resolver.GetLookupKeyAsync(request, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The earned delay; a login blocked by failures elsewhere waits the longest one whatever the address.</summary>
    private TimeSpan PenaltyFor(Attempt attempt, ThrottleVerdict verdict)
    {
        var penalty = _throttle.GetDelay(attempt.Address, attempt.ThrottleKey);
        return verdict == ThrottleVerdict.LoginBlockedElsewhere && _throttle.LongestDelay > penalty ? _throttle.LongestDelay : penalty;
    }

    /// <summary>
    /// An empty password: refused at once and never a failure (clients that try one before the real password), but
    /// limited per address and per login, and recorded sparingly, so a loop of them costs neither the disk nor the
    /// account's login history.
    /// </summary>
    private async ValueTask<AuthenticationResult> RefuseEmptyPasswordAsync(Attempt attempt, CancellationToken ct)
    {
        if (!_throttle.RecordEmptyPassword(attempt.Address, attempt.ThrottleKey))
        {
            MailHostMetrics.EmptyPasswords.Add(1, new KeyValuePair<string, object?>("result", "limited"));
            var delay = _throttle.FirstDelay;
            var result = await RefuseBlockedAsync(attempt, ct).ConfigureAwait(false);
            await DelayAsync(delay, ct).ConfigureAwait(false);
            return result;
        }

        MailHostMetrics.EmptyPasswords.Add(1, new KeyValuePair<string, object?>("result", "refused"));
        if (await RecordUncheckedAsync(attempt, LoginOutcome.EmptyPassword, ct).ConfigureAwait(false))
        {
            Log.EmptyPassword(_logger, attempt.RecordLogin, attempt.Context.Protocol, attempt.Mechanism, attempt.Context.RemoteEndPoint);
        }

        return AuthenticationResult.Failure(AuthenticationStatus.EmptyPassword);
    }

    private async ValueTask<AuthenticationResult> RefuseBlockedAsync(Attempt attempt, CancellationToken ct)
    {
        if (await RecordUncheckedAsync(attempt, LoginOutcome.Throttled, ct).ConfigureAwait(false))
        {
            Log.Throttled(_logger, attempt.RecordLogin, attempt.Context.Protocol, attempt.Mechanism, attempt.Context.RemoteEndPoint);
        }

        return AuthenticationResult.Failure(AuthenticationStatus.Throttled);
    }

    /// <summary>
    /// Ends an attempt on a login blocked by failures elsewhere, from an address with none of its own: the right
    /// password gets in (late), a wrong one is counted against this address too and answered as blocked, as it
    /// would have been without the check.
    /// </summary>
    private async ValueTask<AuthenticationResult> EndBlockedElsewhereAsync(
        Attempt attempt, bool verified, string? password, TimeSpan penalty, CancellationToken ct)
    {
        var (failures, addresses) = _throttle.DescribeLogin(attempt.ThrottleKey);
        var context = attempt.Context;
        MailHostMetrics.BlockedLoginChecks.Add(1, new KeyValuePair<string, object?>("outcome", verified ? "succeeded" : "failed"));
        if (verified)
        {
            Log.SucceededWhileBlocked(_logger, attempt.RecordLogin, context.Protocol, attempt.Mechanism, context.RemoteEndPoint, failures, addresses);
            return await SucceedAsync(attempt, penalty, ct).ConfigureAwait(false);
        }

        var delay = _throttle.RecordFailure(attempt.Address, attempt.ThrottleKey, password);
        await RecordAsync(attempt, LoginOutcome.Failed, ct).ConfigureAwait(false);
        Log.Failed(_logger, attempt.RecordLogin, attempt.Account?.Name, context.Protocol, attempt.Mechanism, context.RemoteEndPoint, delay.TotalSeconds);
        await DelayAsync(delay > penalty ? delay : penalty, ct).ConfigureAwait(false);
        return AuthenticationResult.Failure(AuthenticationStatus.Throttled);
    }

    private async ValueTask<AuthenticationResult> FailAuthorizationAsync(Attempt attempt, CancellationToken ct)
    {
        var delay = _throttle.RecordFailure(attempt.Address, attempt.ThrottleKey, null);
        await RecordAsync(attempt, LoginOutcome.Failed, ct).ConfigureAwait(false);
        Log.AuthorizationDenied(_logger, attempt.RecordLogin, attempt.Context.Protocol, attempt.Mechanism, attempt.Context.RemoteEndPoint);
        await DelayAsync(delay, ct).ConfigureAwait(false);
        return AuthenticationResult.Failure(AuthenticationStatus.AuthorizationDenied);
    }

    private async ValueTask<AuthenticationResult> SucceedAsync(Attempt attempt, TimeSpan penalty, CancellationToken ct)
    {
        var account = attempt.Account!;
        var context = attempt.Context;
        if (account.Disabled)
        {
            await RecordAsync(attempt, LoginOutcome.Disabled, ct).ConfigureAwait(false);
            Log.Disabled(_logger, attempt.RecordLogin, account.Name, context.Protocol, attempt.Mechanism, context.RemoteEndPoint);
            await DelayAsync(penalty, ct).ConfigureAwait(false);
            return AuthenticationResult.Failure(AuthenticationStatus.AccountDisabled);
        }

        _throttle.RecordSuccess(attempt.ThrottleKey);
        await RecordAsync(attempt, LoginOutcome.Succeeded, ct).ConfigureAwait(false);
        Log.Succeeded(_logger, attempt.RecordLogin, account.Name, context.Protocol, attempt.Mechanism, context.RemoteEndPoint, context.IsTls);
        if (attempt.AppPassword is { } appPassword)
        {
            await RecordAppPasswordUseAsync(attempt, appPassword, ct).ConfigureAwait(false);
        }

        var policy = AppliedPolicy(attempt);
        await DelayAsync(penalty, ct).ConfigureAwait(false);
        return AuthenticationResult.Success(account, attempt.Login).WithPolicy(policy);
    }

    private async ValueTask<AuthenticationResult> FailAsync(
        Attempt attempt, string? password, AuthenticationStatus status, CancellationToken ct, bool counted = false, LoginOutcome outcome = LoginOutcome.Failed)
    {
        var delay = _throttle.RecordFailure(attempt.Address, attempt.ThrottleKey, password);
        await RecordAsync(attempt, outcome, ct).ConfigureAwait(false);
        Log.Failed(_logger, attempt.RecordLogin, attempt.Account?.Name, attempt.Context.Protocol, attempt.Mechanism,
            attempt.Context.RemoteEndPoint, delay.TotalSeconds);
        await DelayAsync(delay, ct).ConfigureAwait(false);
        return AuthenticationResult.Failure(status, counted);
    }

    /// <summary>Records an attempt refused without a password check, if the throttle lets it through; returns whether it did.</summary>
    private async ValueTask<bool> RecordUncheckedAsync(Attempt attempt, LoginOutcome outcome, CancellationToken ct)
    {
        if (!_throttle.ShouldRecordUnchecked(attempt.Address, attempt.ThrottleKey))
        {
            MailHostMetrics.UnrecordedAttempts.Add(1, new KeyValuePair<string, object?>("outcome", outcome.ToString()));
            return false;
        }

        await RecordAsync(attempt, outcome, ct).ConfigureAwait(false);
        return true;
    }

    private ValueTask RecordAsync(Attempt attempt, LoginOutcome outcome, CancellationToken ct)
    {
        var context = attempt.Context;
        return _directory.RecordLoginAsync(
            new LoginRecord(_timeProvider.GetUtcNow(), attempt.Account?.Name, attempt.RecordLogin, context.Protocol,
                attempt.Mechanism, context.RemoteEndPoint, context.IsTls, context.ClientName, outcome)
            {
                AppPasswordId = attempt.AppPassword?.Id,
                AppPasswordName = attempt.AppPassword?.Name,
                TokenIssuer = attempt.TokenIssuer,
            },
            ct);
    }

    private async ValueTask DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _timeProvider, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The facts of one attempt collected along the way.</summary>
    internal sealed class Attempt(string login, string mechanism, AuthenticationContext context)
    {
        public string Login { get; } = login;

        public bool IsAcceptable { get; } = AuthenticationLimits.IsAcceptableLogin(login);

        public string RecordLogin { get; } = AuthenticationLimits.SanitizeLogin(login);

        public string Mechanism { get; } = mechanism;

        public AuthenticationContext Context { get; } = context;

        public System.Net.IPAddress? Address => Context.RemoteEndPoint?.Address;

        public AccountInfo? Account { get; set; }

        /// <summary>For a login that resolved to no account, the resolver's lookup key (all its spellings share it).</summary>
        public string? LookupKey { get; set; }

        /// <summary>The app password the secret was checked against, when it was one of the account's.</summary>
        public AppPasswordInfo? AppPassword { get; set; }

        /// <summary>Why right credentials are refused all the same (an app password's limits, or app passwords required).</summary>
        public CredentialRefusal? Refusal { get; set; }

        /// <summary>For a login with a bearer token, the issuer that validated it (before the attempt is recorded).</summary>
        public string? TokenIssuer { get; init; }

        /// <summary>The name client policies know the mechanism by: <see cref="Mechanism"/>, except for the plain commands.</summary>
        public string PolicyMechanism { get; init; } = mechanism;

        /// <summary>The account's client policy, once the account and the secret used are known (mail protocols only).</summary>
        public ClientPolicy? Policy { get; set; }

        /// <summary>
        /// The resolved account's name, so all spellings of one account share a counter; else the lookup key, so all
        /// spellings of an unknown login share one too; else (a login no resolver sees) the login lower-cased.
        /// </summary>
        public string ThrottleKey => Account?.Name ?? LookupKey ?? RecordLogin.ToLowerInvariant();
    }
}
