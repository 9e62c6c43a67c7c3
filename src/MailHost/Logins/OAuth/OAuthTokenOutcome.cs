namespace MailHost.Logins.OAuth;

/// <summary>What the check of one bearer token found.</summary>
internal enum OAuthTokenOutcome
{
    /// <summary>Signed by the issuer, for this server, in date, with the required scope, naming a user.</summary>
    Valid,

    /// <summary>Not a signed JWT (JWS compact serialization); an encrypted one (JWE) counts as this too.</summary>
    Malformed,

    /// <summary>The <c>iss</c> claim names no configured issuer.</summary>
    UnknownIssuer,

    /// <summary>Signed with an algorithm not on the list (<c>none</c>, HMAC).</summary>
    UnsupportedAlgorithm,

    /// <summary>The issuer's metadata or keys could not be had: the server's problem, not the client's.</summary>
    Unavailable,

    /// <summary>The key id is not in the issuer's key set, even after fetching it again (or the fetch was rate-limited).</summary>
    UnknownKey,

    /// <summary>The signature does not verify.</summary>
    InvalidSignature,

    /// <summary>Past <c>exp</c> (plus the allowed clock skew), or without <c>exp</c>.</summary>
    Expired,

    /// <summary>Before <c>nbf</c> (less the allowed clock skew).</summary>
    NotYetValid,

    /// <summary>No configured audience in <c>aud</c>.</summary>
    WrongAudience,

    /// <summary>Without the required scope.</summary>
    MissingScope,

    /// <summary>Without the user claim, with an unusable value, or with an email the token marks unverified.</summary>
    NoUser,

    /// <summary>Refused for another reason of the token handler.</summary>
    Invalid,
}
