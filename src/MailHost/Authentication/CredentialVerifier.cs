using System.Security.Cryptography;
using System.Text;
using MailHost.Accounts;
using MailHost.Protocols.Sasl;
using Microsoft.Extensions.Logging;

namespace MailHost.Authentication;

/// <summary>
/// What every attempt shares, whatever the protocol or mechanism: the login check, resolution, authzid policy,
/// throttle, secret verification with equal cost for unknown logins, the login record and the log line.
/// </summary>
internal sealed partial class CredentialVerifier
{
    private readonly IAuthIdentityResolver _resolver;
    private readonly IAccountDirectory _directory;
    private readonly AuthenticationThrottle _throttle;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly int _iterations;
    private readonly Lazy<PasswordRecord> _dummyRecord;
    private readonly byte[] _fakeCredentialKey = RandomNumberGenerator.GetBytes(32);

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
        _timeProvider = timeProvider;
        _logger = logger;
        _iterations = options.PasswordIterations;

        // Checked when a login is unknown, so that it costs the same PBKDF2 work as a wrong password.
        _dummyRecord = new(() => PasswordRecord.Create(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)), _iterations));
    }

    /// <summary>Checks a plain password (IMAP LOGIN, POP3 PASS, SASL PLAIN and LOGIN).</summary>
    public async ValueTask<AuthenticationResult> VerifyPasswordAsync(
        string login, string? authorizationId, string password, string mechanism, AuthenticationContext context, CancellationToken ct)
    {
        context.Mechanism = mechanism;
        var attempt = new Attempt(login, mechanism, context);
        if (!IsAuthorizationAllowed(login, authorizationId))
        {
            return await FailAuthorizationAsync(attempt, ct).ConfigureAwait(false);
        }

        if (password.Length == 0)
        {
            // A broken client (or one probing for the prompt): refused at once and never counted by the throttle.
            attempt.Account = await ResolveAsync(attempt, authorizationId, ct).ConfigureAwait(false);
            await RecordAsync(attempt, LoginOutcome.EmptyPassword, ct).ConfigureAwait(false);
            Log.EmptyPassword(_logger, attempt.RecordLogin, context.Protocol, mechanism, context.RemoteEndPoint);
            return AuthenticationResult.Failure(AuthenticationStatus.EmptyPassword);
        }

        attempt.Account = await ResolveAsync(attempt, authorizationId, ct).ConfigureAwait(false);
        if (await RefuseIfBlockedAsync(attempt, ct).ConfigureAwait(false) is { } blocked)
        {
            return blocked;
        }

        var penalty = _throttle.GetDelay(attempt.Address, attempt.ThrottleKey);
        var record = attempt.Account is null
            ? null
            : await _directory.GetPasswordRecordAsync(attempt.Account.Name, ct).ConfigureAwait(false);

        // Same PBKDF2 work whether or not the login exists (SECURITY D2).
        var verified = (record ?? _dummyRecord.Value).Verify(password) && record is not null;
        return verified
            ? await SucceedAsync(attempt, penalty, ct).ConfigureAwait(false)
            : await FailAsync(attempt, password, AuthenticationStatus.InvalidCredentials, ct).ConfigureAwait(false);
    }

    /// <summary>Starts the SCRAM side: resolution, throttle and the (real or fake) credentials.</summary>
    public async ValueTask<ScramAttempt> BeginScramAsync(
        string login, string? authorizationId, string mechanism, AuthenticationContext context, CancellationToken ct)
    {
        context.Mechanism = mechanism;
        var attempt = new Attempt(login, mechanism, context);
        if (!IsAuthorizationAllowed(login, authorizationId))
        {
            return new ScramAttempt(attempt, await FailAuthorizationAsync(attempt, ct).ConfigureAwait(false));
        }

        attempt.Account = await ResolveAsync(attempt, authorizationId, ct).ConfigureAwait(false);
        if (await RefuseIfBlockedAsync(attempt, ct).ConfigureAwait(false) is { } blocked)
        {
            return new ScramAttempt(attempt, blocked);
        }

        var record = attempt.Account is null
            ? null
            : await _directory.GetPasswordRecordAsync(attempt.Account.Name, ct).ConfigureAwait(false);
        var credentials = record is null
            ? FakeCredentials(attempt.ThrottleKey)
            : new SaslScramCredentials(record.Salt, record.Iterations, record.StoredKey, record.ServerKey);
        return new ScramAttempt(attempt, null)
        {
            Credentials = credentials,
            HasRecord = record is not null,
            Penalty = _throttle.GetDelay(attempt.Address, attempt.ThrottleKey),
        };
    }

    /// <summary>Ends a SCRAM exchange that got as far as the credentials.</summary>
    /// <param name="scram">The attempt from <see cref="BeginScramAsync"/>.</param>
    /// <param name="proofValid">Whether the mechanism accepted the client's proof.</param>
    /// <param name="failure">The status to report when the proof is not valid (InvalidCredentials, Malformed, TooLong).</param>
    /// <param name="ct">Cancels the directory calls and the delay.</param>
    public async ValueTask<AuthenticationResult> CompleteScramAsync(
        ScramAttempt scram, bool proofValid, AuthenticationStatus failure, CancellationToken ct) =>
        proofValid && scram.HasRecord
            ? await SucceedAsync(scram.Attempt, scram.Penalty, ct).ConfigureAwait(false)
            : await FailAsync(scram.Attempt, null, proofValid ? AuthenticationStatus.InvalidCredentials : failure, ct).ConfigureAwait(false);

    /// <summary>The default authorization policy: no authzid, or one equal to the authcid.</summary>
    private static bool IsAuthorizationAllowed(string login, string? authorizationId) =>
        string.IsNullOrEmpty(authorizationId) || string.Equals(authorizationId, login, StringComparison.Ordinal);

    private async ValueTask<AccountInfo?> ResolveAsync(Attempt attempt, string? authorizationId, CancellationToken ct)
    {
        if (!attempt.IsAcceptable)
        {
            return null;
        }

        var request = new AuthIdentityRequest(
            attempt.Login,
            string.IsNullOrEmpty(authorizationId) ? null : authorizationId,
            attempt.Context.Protocol,
            attempt.Mechanism,
            attempt.Context.RemoteEndPoint,
            attempt.Context.IsTls);
        return await _resolver.ResolveAsync(request, ct).ConfigureAwait(false);
    }

    private async ValueTask<AuthenticationResult?> RefuseIfBlockedAsync(Attempt attempt, CancellationToken ct)
    {
        if (!_throttle.IsBlocked(attempt.Address, attempt.ThrottleKey))
        {
            return null;
        }

        await RecordAsync(attempt, LoginOutcome.Throttled, ct).ConfigureAwait(false);
        Log.Throttled(_logger, attempt.RecordLogin, attempt.Context.Protocol, attempt.Mechanism, attempt.Context.RemoteEndPoint);
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
        await DelayAsync(penalty, ct).ConfigureAwait(false);
        return AuthenticationResult.Success(account, attempt.Login);
    }

    private async ValueTask<AuthenticationResult> FailAsync(Attempt attempt, string? password, AuthenticationStatus status, CancellationToken ct)
    {
        var delay = _throttle.RecordFailure(attempt.Address, attempt.ThrottleKey, password);
        await RecordAsync(attempt, LoginOutcome.Failed, ct).ConfigureAwait(false);
        Log.Failed(_logger, attempt.RecordLogin, attempt.Account?.Name, attempt.Context.Protocol, attempt.Mechanism,
            attempt.Context.RemoteEndPoint, delay.TotalSeconds);
        await DelayAsync(delay, ct).ConfigureAwait(false);
        return AuthenticationResult.Failure(status);
    }

    private ValueTask RecordAsync(Attempt attempt, LoginOutcome outcome, CancellationToken ct)
    {
        var context = attempt.Context;
        return _directory.RecordLoginAsync(
            new LoginRecord(_timeProvider.GetUtcNow(), attempt.Account?.Name, attempt.RecordLogin, context.Protocol,
                attempt.Mechanism, context.RemoteEndPoint, context.IsTls, context.ClientName, outcome),
            ct);
    }

    private async ValueTask DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _timeProvider, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A stable fake SCRAM record for a login without one, derived from a per-process secret, so that the salt and
    /// iteration count a client sees do not tell whether the login exists.
    /// </summary>
    private SaslScramCredentials FakeCredentials(string? throttleKey)
    {
        var seed = Encoding.UTF8.GetBytes(throttleKey ?? string.Empty);
        byte[] Derive(string purpose) => HMACSHA256.HashData(_fakeCredentialKey, (byte[])[.. Encoding.ASCII.GetBytes(purpose), 0, .. seed]);

        // Real salts are 16 bytes (PasswordRecord), so the fake one is too.
        return new SaslScramCredentials(Derive("salt").AsMemory(0, 16), _iterations, Derive("stored-key"), Derive("server-key"));
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

        /// <summary>The resolved account's name, so all spellings of one account share a counter; else the login.</summary>
        public string ThrottleKey => Account?.Name ?? RecordLogin.ToLowerInvariant();
    }

    /// <summary>A SCRAM attempt after the credential lookup; <see cref="EarlyResult"/> is set when it already ended.</summary>
    internal sealed class ScramAttempt(Attempt attempt, AuthenticationResult? earlyResult)
    {
        public Attempt Attempt { get; } = attempt;

        public AuthenticationResult? EarlyResult { get; } = earlyResult;

        public SaslScramCredentials? Credentials { get; init; }

        public bool HasRecord { get; init; }

        public TimeSpan Penalty { get; init; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Information,
            Message = "Login '{Login}' authenticated as '{Account}' ({Protocol} {Mechanism}) from {RemoteEndPoint}, TLS {Tls}")]
        public static partial void Succeeded(ILogger logger, string login, string account, string protocol, string mechanism,
            System.Net.IPEndPoint? remoteEndPoint, bool tls);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Information,
            Message = "Login '{Login}' failed ({Protocol} {Mechanism}) from {RemoteEndPoint}; account '{Account}', delay {DelaySeconds}s")]
        public static partial void Failed(ILogger logger, string login, string? account, string protocol, string mechanism,
            System.Net.IPEndPoint? remoteEndPoint, double delaySeconds);

        [LoggerMessage(EventId = 1103, Level = LogLevel.Information,
            Message = "Login '{Login}' sent an empty password ({Protocol} {Mechanism}) from {RemoteEndPoint}")]
        public static partial void EmptyPassword(ILogger logger, string login, string protocol, string mechanism, System.Net.IPEndPoint? remoteEndPoint);

        [LoggerMessage(EventId = 1104, Level = LogLevel.Warning,
            Message = "Login '{Login}' refused while blocked ({Protocol} {Mechanism}) from {RemoteEndPoint}")]
        public static partial void Throttled(ILogger logger, string login, string protocol, string mechanism, System.Net.IPEndPoint? remoteEndPoint);

        [LoggerMessage(EventId = 1105, Level = LogLevel.Information,
            Message = "Login '{Login}' asked to act as another identity ({Protocol} {Mechanism}) from {RemoteEndPoint}; refused")]
        public static partial void AuthorizationDenied(ILogger logger, string login, string protocol, string mechanism, System.Net.IPEndPoint? remoteEndPoint);

        [LoggerMessage(EventId = 1106, Level = LogLevel.Information,
            Message = "Login '{Login}' has the right credentials but account '{Account}' is disabled ({Protocol} {Mechanism}) from {RemoteEndPoint}")]
        public static partial void Disabled(ILogger logger, string login, string account, string protocol, string mechanism, System.Net.IPEndPoint? remoteEndPoint);
    }
}
