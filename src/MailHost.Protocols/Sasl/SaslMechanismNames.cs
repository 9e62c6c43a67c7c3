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

    /// <summary>Every mechanism <see cref="SaslMechanism.Create(string)"/> knows, strongest last.</summary>
    public static IReadOnlyList<string> All { get; } = [Plain, Login, ScramSha256];
}
