namespace MailHost.Protocols.Sasl;

/// <summary>The SASL mechanism names MailHost implements, as registered with IANA (RFC 4422 §3.1).</summary>
/// <remarks>Mechanism names are compared case-insensitively on the wire (IMAP atoms, SMTP keywords).</remarks>
public static class SaslMechanismNames
{
    /// <summary>RFC 4616.</summary>
    public const string Plain = "PLAIN";

    /// <summary>draft-murchison-sasl-login (obsolete but widely used by clients).</summary>
    public const string Login = "LOGIN";

    /// <summary>RFC 5802 with SHA-256 (RFC 7677), without channel binding.</summary>
    public const string ScramSha256 = "SCRAM-SHA-256";

    /// <summary>RFC 7628: an OAuth 2.0 bearer token in a GS2 header and key/value pairs.</summary>
    public const string OAuthBearer = "OAUTHBEARER";

    /// <summary>Google's pre-standard bearer token mechanism (<c>user=...^Aauth=Bearer ...^A^A</c>), still what most mail clients send.</summary>
    public const string XOAuth2 = "XOAUTH2";

    /// <summary>Every mechanism <see cref="SaslMechanism.Create(string)"/> knows: the password mechanisms strongest last, then the bearer token mechanisms.</summary>
    public static IReadOnlyList<string> All { get; } = [Plain, Login, ScramSha256, OAuthBearer, XOAuth2];

    /// <summary>The mechanisms that carry an OAuth 2.0 bearer token instead of a password (<see cref="SaslStepKind.VerifyBearerToken"/>).</summary>
    public static IReadOnlyList<string> BearerToken { get; } = [OAuthBearer, XOAuth2];
}
