namespace MailHost.Logins;

/// <summary>
/// OAuth 2.0 sign-in (SASL OAUTHBEARER, RFC 7628, and XOAUTH2), bound from <c>MailHost:Auth:OAuth</c>: the OpenID
/// Connect issuers whose JWT access tokens are accepted instead of a password. With no issuer the two mechanisms
/// are neither offered nor accepted.
/// </summary>
public sealed class OAuthOptions
{
    /// <summary>The trusted issuers; a token is checked against the one its <c>iss</c> claim names exactly.</summary>
    public IList<OAuthIssuerOptions> Issuers { get; } = [];

    /// <summary>
    /// How far the token's <c>exp</c> and <c>nbf</c> may be off from this host's clock. Default 60 seconds; at most 5
    /// minutes.
    /// </summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A token signed with a key id the cached key set (JWKS) does not hold makes MailHost fetch the issuer's metadata
    /// and keys again at once, for a key rotated in early; at most once per issuer in this interval, so that made-up
    /// key ids cannot make it hammer the issuer. Default 5 minutes; at least 1 second. The keys are otherwise refreshed
    /// every 12 hours.
    /// </summary>
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one fetch of an issuer's metadata or key set may take. Default 10 seconds.</summary>
    public TimeSpan MetadataTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
