using MailHost.Logins.OAuth;

namespace MailHost.Logins;

/// <summary>
/// The bearer token side (OAUTHBEARER, XOAUTH2): the token takes the place of the password, and the user it names is
/// the login, resolved like a typed one. What a password attempt goes through applies: the throttle, the login
/// record, the log lines and the metrics.
/// </summary>
internal sealed partial class CredentialVerifier
{
    /// <summary>
    /// Checks a bearer token with <paramref name="validator"/> and ends the attempt.
    /// </summary>
    /// <param name="token">The token (a secret: it reaches the throttle only as a keyed hash, so that a client that
    /// retries the same stale token does not escalate its delay).</param>
    /// <param name="requestedUser">The user the client named (RFC 7628 <c>a=</c>, XOAUTH2 <c>user=</c>), or null. When
    /// given, it must resolve to the account the token's user resolves to.</param>
    /// <param name="mechanism">OAUTHBEARER or XOAUTH2.</param>
    /// <param name="context">The connection.</param>
    /// <param name="validator">Checks the token against the configured issuers.</param>
    /// <param name="ct">Cancels lookups and the throttle delay.</param>
    /// <returns>
    /// The result, and for a token that was checked and refused (invalid, for an unknown user or another identity, or
    /// for a disabled account) the RFC 7628 §3.2.2 error for the client. A blocked client and an unreachable issuer
    /// get none: the token was never judged.
    /// </returns>
    public async ValueTask<BearerTokenVerdict> VerifyBearerTokenAsync(
        string token, string? requestedUser, string mechanism, AuthenticationContext context, OAuthTokenValidator validator, CancellationToken ct)
    {
        context.Mechanism = mechanism;

        // Until the token is checked, the attempt is the user the client named (or no one): a refusal is recorded
        // under that name and throttled for it and the address, as a wrong password would be.
        var requested = new Attempt(requestedUser ?? string.Empty, mechanism, context);
        await ResolveAsync(requested, null, ct).ConfigureAwait(false);
        if (_throttle.Evaluate(requested.Address, requested.ThrottleKey) == ThrottleVerdict.Blocked)
        {
            // A blocked client costs the issuer nothing either.
            return new(Counted(context, await RefuseBlockedAsync(requested, ct).ConfigureAwait(false)), null);
        }

        var check = await validator.ValidateAsync(token, ct).ConfigureAwait(false);
        if (check.Outcome == OAuthTokenOutcome.Unavailable)
        {
            return new(Counted(context, AuthenticationResult.Failure(AuthenticationStatus.TemporaryFailure)), null);
        }

        var error = OAuthTokenValidator.ErrorChallenge(check);
        if (!check.IsValid)
        {
            OAuthLog.Refused(_logger, mechanism, context.RemoteEndPoint, check.Tag, check.Issuer.Issuer);
            return new(Counted(context, await FailAsync(requested, token, AuthenticationStatus.InvalidCredentials, ct).ConfigureAwait(false)), error);
        }

        var attempt = new Attempt(check.User!, mechanism, context) { TokenIssuer = check.Issuer.Issuer };
        await ResolveAsync(attempt, null, ct).ConfigureAwait(false);
        var verdict = _throttle.Evaluate(attempt.Address, attempt.ThrottleKey);
        if (verdict == ThrottleVerdict.Blocked)
        {
            return new(Counted(context, await RefuseBlockedAsync(attempt, ct).ConfigureAwait(false)), null);
        }

        if (attempt.Account is null)
        {
            // A good token for a user this server does not have: the same answer as a bad token (SECURITY D2).
            OAuthLog.Refused(_logger, mechanism, context.RemoteEndPoint, "unknown_user", check.Issuer.Issuer);
            return new(Counted(context, await FailAsync(attempt, token, AuthenticationStatus.InvalidCredentials, ct).ConfigureAwait(false)), error);
        }

        if (requestedUser is not null && !string.Equals(requested.Account?.Name, attempt.Account.Name, StringComparison.Ordinal))
        {
            // The token is alice's; the client asked to be someone else (RFC 7628 §3.1: a= is the authorization identity).
            return new(Counted(context, await FailAuthorizationAsync(attempt, ct).ConfigureAwait(false)), error);
        }

        // The token was good: the account's client policy may still refuse it, as it would a right password.
        var refusal = PolicyRefusal(attempt);
        var penalty = PenaltyFor(attempt, verdict);
        var result = verdict == ThrottleVerdict.LoginBlockedElsewhere
            ? await EndBlockedElsewhereAsync(attempt, verified: refusal is null, token, penalty, ct).ConfigureAwait(false)
            : refusal is { } refused
                ? await RefuseAsync(attempt, refused, token, ct).ConfigureAwait(false)
                : await SucceedAsync(attempt, penalty, ct).ConfigureAwait(false);
        if (result.Succeeded)
        {
            return new(Counted(context, AuthenticationResult.Success(result.Account, result.AuthenticationId, check.Issuer.Issuer).WithPolicy(result.Policy)), null);
        }

        return new(Counted(context, result), result.Status == AuthenticationStatus.AccountDisabled || refusal is not null ? error : null);
    }

    /// <summary>The end of a bearer token attempt.</summary>
    /// <param name="Result">What the session answers.</param>
    /// <param name="ErrorChallenge">The JSON error to send as a challenge before the failure (RFC 7628 §3.2.2), or null.</param>
    internal readonly record struct BearerTokenVerdict(AuthenticationResult Result, byte[]? ErrorChallenge);
}
