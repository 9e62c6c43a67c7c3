namespace MailHost.Logins;

/// <summary>One OpenID Connect issuer whose access tokens are accepted (an item of <c>MailHost:Auth:OAuth:Issuers</c>).</summary>
public sealed class OAuthIssuerOptions
{
    /// <summary>The <c>email</c> claim: the user's address.</summary>
    public const string EmailClaim = "email";

    /// <summary>The <c>preferred_username</c> claim (OpenID Connect Core §5.1).</summary>
    public const string PreferredUsernameClaim = "preferred_username";

    /// <summary>The <c>upn</c> claim (Microsoft Entra ID, AD FS).</summary>
    public const string UpnClaim = "upn";

    /// <summary>
    /// The issuer identifier exactly as tokens carry it in <c>iss</c> (OpenID Connect Discovery §4.3), e.g.
    /// <c>https://login.example.com/realms/staff</c>. Required; an https URL unless <see cref="RequireHttpsMetadata"/>
    /// is off.
    /// </summary>
    public string? Issuer { get; set; }

    /// <summary>
    /// The audiences a token must name one of in <c>aud</c>: the identifier the issuer gives the mail server as an
    /// API (resource), not a client's id. At least one is required.
    /// </summary>
    public IList<string> Audiences { get; } = [];

    /// <summary>
    /// A scope the token must carry in <c>scope</c> (space-separated) or <c>scp</c> (space-separated text or a list),
    /// or <see langword="null"/> for none. Also shown to clients in the error of a refused token (RFC 7628 §3.2.2).
    /// </summary>
    public string? RequiredScope { get; set; }

    /// <summary>
    /// The claim whose value is the login: <see cref="EmailClaim"/> (the default), <see cref="PreferredUsernameClaim"/>
    /// or <see cref="UpnClaim"/>. Its value is resolved like a typed login, so <c>MailHost:Auth:LoginIdentity</c>
    /// applies. An <c>email</c> the token marks <c>email_verified: false</c> is refused.
    /// </summary>
    public string UserClaim { get; set; } = EmailClaim;

    /// <summary>
    /// Where the issuer's OpenID Connect metadata is, when not at <c>&lt;Issuer&gt;/.well-known/openid-configuration</c>.
    /// </summary>
    public string? MetadataAddress { get; set; }

    /// <summary>
    /// Whether the metadata and the key set must be fetched over https. Default <see langword="true"/>; it may be
    /// turned off only for an issuer on a loopback address (a test or a local identity provider).
    /// </summary>
    public bool RequireHttpsMetadata { get; set; } = true;
}
