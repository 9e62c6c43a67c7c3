using MailHost.Accounts;
using MailHost.Protocols.Sasl;

namespace MailHost.Logins;

/// <summary>Authentication settings, bound from the configuration section <see cref="SectionName"/>.</summary>
public sealed class AuthenticationOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "MailHost:Auth";

    /// <summary>Which login names the built-in resolver accepts. Default <see cref="LoginIdentityMode.AccountNameOrEmailAddress"/>.</summary>
    public LoginIdentityMode LoginIdentity { get; set; } = LoginIdentityMode.AccountNameOrEmailAddress;

    /// <summary>
    /// Whether authentication is offered on connections without TLS. Default <see langword="false"/>: IMAP then
    /// advertises LOGINDISABLED, SMTP no AUTH, POP3 refuses USER, and every login attempt is refused as needing
    /// encryption first. This covers SCRAM too: an eavesdropped SCRAM exchange
    /// allows an offline dictionary attack on the password. Decided from the connection's real TLS state only.
    /// </summary>
    public bool AllowPlaintextAuthentication { get; set; }

    /// <summary>Failed attempts after which a session closes its connection. Default 3.</summary>
    public int MaxFailuresPerConnection { get; set; } = 3;

    /// <summary>
    /// PBKDF2 iteration count for new password records, and for the dummy record checked when a login is unknown
    /// (so that both take the same time). Default <see cref="PasswordRecord.DefaultIterations"/> (600,000). A record
    /// with fewer iterations still verifies and is re-derived with this count after its next successful PLAIN, LOGIN
    /// or USER/PASS login; a failed check of such a record is padded to this cost. SCRAM clients are sent the count
    /// of the stored record, and an unknown login this count.
    /// </summary>
    public int PasswordIterations { get; set; } = PasswordRecord.DefaultIterations;

    /// <summary>How long successful password checks are remembered.</summary>
    public VerificationCacheOptions VerificationCache { get; set; } = new();

    /// <summary>How failed logins are delayed and blocked.</summary>
    public AuthenticationThrottleOptions Throttle { get; set; } = new();

    /// <summary>
    /// SASL mechanisms offered, in advertising order; names are matched case-insensitively and duplicates ignored,
    /// unknown names are an error at start-up. Default PLAIN, LOGIN, SCRAM-SHA-256, OAUTHBEARER, XOAUTH2. The two
    /// bearer token mechanisms are offered only inside TLS and only while <see cref="OAuth"/> names an issuer, so by
    /// default they appear when an issuer is configured; a list without them keeps them off. Configuration binding
    /// appends to this list; clear it first to replace it.
    /// </summary>
    public IList<string> Mechanisms { get; } =
        [SaslMechanismNames.Plain, SaslMechanismNames.Login, SaslMechanismNames.ScramSha256, SaslMechanismNames.OAuthBearer, SaslMechanismNames.XOAuth2];

    /// <summary>OAuth 2.0 sign-in with access tokens from OpenID Connect issuers (<c>MailHost:Auth:OAuth</c>).</summary>
    public OAuthOptions OAuth { get; set; } = new();

    /// <summary>
    /// Per-account client policies (<c>MailHost:Auth:ClientPolicies</c>): where mail logins may come from, with which
    /// mechanisms, and how the account's IMAP and POP3 sessions differ. Enforced where credentials are checked, so IMAP,
    /// POP3 and SMTP logins (password, app password and token alike) are refused in one place; never the web console.
    /// </summary>
    public ClientPolicyOptions ClientPolicies { get; set; } = new();
}
