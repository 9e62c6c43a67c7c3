namespace MailHost.Logins.OAuth;

/// <summary>The result of <see cref="OAuthTokenValidator.ValidateAsync"/>.</summary>
/// <param name="Outcome">What the check found.</param>
/// <param name="Issuer">The configured issuer the token was checked against (on success, the one that validated it); for a
/// token that names no configured issuer, the first one (its metadata address goes into the client's error).</param>
/// <param name="User">On success, the value of the issuer's user claim: the login to resolve.</param>
internal sealed record OAuthTokenCheck(OAuthTokenOutcome Outcome, OAuthIssuer Issuer, string? User = null)
{
    /// <summary>Whether the token is valid.</summary>
    public bool IsValid => Outcome == OAuthTokenOutcome.Valid;

    /// <summary>The <c>result</c> tag of <c>mailhost.auth.tokens</c> and the reason in logs: the outcome in snake case.</summary>
    public string Tag => Outcome switch
    {
        OAuthTokenOutcome.Valid => "valid",
        OAuthTokenOutcome.Malformed => "malformed",
        OAuthTokenOutcome.UnknownIssuer => "unknown_issuer",
        OAuthTokenOutcome.UnsupportedAlgorithm => "unsupported_algorithm",
        OAuthTokenOutcome.Unavailable => "issuer_unavailable",
        OAuthTokenOutcome.UnknownKey => "unknown_key",
        OAuthTokenOutcome.InvalidSignature => "invalid_signature",
        OAuthTokenOutcome.Expired => "expired",
        OAuthTokenOutcome.NotYetValid => "not_yet_valid",
        OAuthTokenOutcome.WrongAudience => "wrong_audience",
        OAuthTokenOutcome.MissingScope => "missing_scope",
        OAuthTokenOutcome.NoUser => "no_user",
        _ => "invalid",
    };
}
