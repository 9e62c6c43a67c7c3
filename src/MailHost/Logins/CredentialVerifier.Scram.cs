using System.Security.Cryptography;
using System.Text;
using MailHost.Accounts;
using MailHost.Protocols.Sasl;

namespace MailHost.Logins;

/// <summary>The SCRAM side: the salt and keys a client is shown, and the end of the exchange.</summary>
internal sealed partial class CredentialVerifier
{
    // Real salts are 16 bytes (PasswordRecord), so fake ones are too.
    private const int FakeSaltLength = 16;

    /// <summary>Starts the SCRAM side: resolution, throttle and the (real or fake) credentials.</summary>
    public async ValueTask<ScramAttempt> BeginScramAsync(
        string login, string? authorizationId, string mechanism, AuthenticationContext context, CancellationToken ct)
    {
        context.Mechanism = mechanism;
        var attempt = new Attempt(login, mechanism, context);
        if (!IsAuthorizationAllowed(login, authorizationId))
        {
            return new ScramAttempt(attempt, Counted(context, await FailAuthorizationAsync(attempt, ct).ConfigureAwait(false)));
        }

        await ResolveAsync(attempt, authorizationId, ct).ConfigureAwait(false);

        // The exchange goes on with the account's real salt, so that it looks like any other; only a right proof is
        // refused at the end (the salt is sent before the secret is known, so no app password can be used here).
        attempt.Refusal = MainPasswordRefusal(attempt) ?? PolicyRefusal(attempt);
        var verdict = _throttle.Evaluate(attempt.Address, attempt.ThrottleKey);
        if (verdict == ThrottleVerdict.Blocked)
        {
            return new ScramAttempt(attempt, Counted(context, await RefuseBlockedAsync(attempt, ct).ConfigureAwait(false)));
        }

        var record = attempt.Account is null
            ? null
            : await _directory.GetPasswordRecordAsync(attempt.Account.Name, ct).ConfigureAwait(false);

        // RFC 7677 §3 / RFC 5802 §5.1: the client derives its keys with the stored record's own salt and count.
        var credentials = record is null
            ? await FakeCredentialsAsync(attempt.ThrottleKey, ct).ConfigureAwait(false)
            : new SaslScramCredentials(record.Salt, record.Iterations, record.StoredKey, record.ServerKey);
        return new ScramAttempt(attempt, null)
        {
            Credentials = credentials,
            HasRecord = record is not null,
            Penalty = PenaltyFor(attempt, verdict),
            Verdict = verdict,
        };
    }

    /// <summary>Ends a SCRAM exchange that got as far as the credentials.</summary>
    /// <param name="scram">The attempt from <see cref="BeginScramAsync"/>.</param>
    /// <param name="proofValid">Whether the mechanism accepted the client's proof.</param>
    /// <param name="failure">The status to report when the proof is not valid (InvalidCredentials, Malformed, TooLong,
    /// Cancelled). Every one of them is a counted failure: the client has seen the salt, which is what an attacker
    /// enumerating logins is after.</param>
    /// <param name="ct">Cancels the directory calls and the delay.</param>
    public async ValueTask<AuthenticationResult> CompleteScramAsync(
        ScramAttempt scram, bool proofValid, AuthenticationStatus failure, CancellationToken ct)
    {
        var verified = proofValid && scram.HasRecord;
        AuthenticationResult result;
        if (scram.Verdict == ThrottleVerdict.LoginBlockedElsewhere && (proofValid || failure == AuthenticationStatus.InvalidCredentials))
        {
            result = await EndBlockedElsewhereAsync(scram.Attempt, verified && scram.Attempt.Refusal is null, null, scram.Penalty, ct).ConfigureAwait(false);
        }
        else if (verified && scram.Attempt.Refusal is { } refusal)
        {
            result = await RefuseAsync(scram.Attempt, refusal, null, ct).ConfigureAwait(false);
        }
        else if (verified)
        {
            result = await SucceedAsync(scram.Attempt, scram.Penalty, ct).ConfigureAwait(false);
        }
        else
        {
            result = await FailAsync(scram.Attempt, null, proofValid ? AuthenticationStatus.InvalidCredentials : failure, ct, counted: true).ConfigureAwait(false);
        }

        return Counted(scram.Attempt.Context, result);
    }

    /// <summary>
    /// Counts and records a SCRAM exchange whose connection ended after the server-first message (no delay: there is
    /// nobody left to answer). Without it, reading salts and hanging up would be a free way to probe logins.
    /// </summary>
    public async ValueTask AbandonScramAsync(ScramAttempt scram)
    {
        var attempt = scram.Attempt;
        var delay = _throttle.RecordFailure(attempt.Address, attempt.ThrottleKey, null);
        await RecordAsync(attempt, LoginOutcome.Failed, CancellationToken.None).ConfigureAwait(false);
        Log.Failed(_logger, attempt.RecordLogin, attempt.Account?.Name, attempt.Context.Protocol, attempt.Mechanism,
            attempt.Context.RemoteEndPoint, delay.TotalSeconds);
        Count(attempt.Context, AuthenticationStatus.InvalidCredentials);
    }

    /// <summary>
    /// A stable fake SCRAM record for a login without one, keyed by the directory's server secret (the same on every
    /// host and after restarts) and derived from the login's throttle key: the account name for an account without
    /// a password, else the resolver's lookup key. So every spelling of an unknown login shows one salt, as every
    /// spelling of a real account does, and the iteration count is the one new records get.
    /// </summary>
    private async ValueTask<SaslScramCredentials> FakeCredentialsAsync(string seed, CancellationToken ct)
    {
        var secret = await _directory.GetServerSecretAsync(ct).ConfigureAwait(false) ?? _processSecret;
        var seedBytes = Encoding.UTF8.GetBytes(seed);
        byte[] Derive(string purpose) =>
            HMACSHA256.HashData(secret.Span, (byte[])[.. Encoding.ASCII.GetBytes(purpose), 0, .. seedBytes]);

        return new SaslScramCredentials(
            Derive("scram-fake-salt").AsMemory(0, FakeSaltLength), _iterations, Derive("scram-fake-stored-key"), Derive("scram-fake-server-key"));
    }

    /// <summary>A SCRAM attempt after the credential lookup; <see cref="EarlyResult"/> is set when it already ended.</summary>
    internal sealed class ScramAttempt(Attempt attempt, AuthenticationResult? earlyResult)
    {
        public Attempt Attempt { get; } = attempt;

        public AuthenticationResult? EarlyResult { get; } = earlyResult;

        public SaslScramCredentials? Credentials { get; init; }

        public bool HasRecord { get; init; }

        public TimeSpan Penalty { get; init; }

        public ThrottleVerdict Verdict { get; init; }
    }
}
