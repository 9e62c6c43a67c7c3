namespace MailHost.Logins;

/// <summary>
/// What a client policy sets for the mail logins and sessions of an account (<c>MailHost:Auth:ClientPolicies:Default</c>,
/// and each rule of <c>MailHost:Auth:ClientPolicies:Rules</c>). A setting left empty (or null) is not set: the default's,
/// or an earlier rule's, stands.
/// </summary>
public class ClientPolicySettings
{
    /// <summary>
    /// The name <see cref="Mechanisms"/> uses for the plain password commands outside SASL: IMAP <c>LOGIN</c>
    /// (RFC 9051 §6.2.3) and POP3 <c>USER</c>/<c>PASS</c> (RFC 1939 §7). The SASL mechanism LOGIN is <c>LOGIN</c>.
    /// </summary>
    public const string PasswordCommand = "PASSWORD-COMMAND";

    /// <summary>
    /// The client networks mail logins may come from (CIDR such as <c>192.0.2.0/24</c> or one address); a login from
    /// elsewhere is refused like a wrong password. Empty: not set (any network).
    /// </summary>
    public IList<string> AllowedNetworks { get; } = [];

    /// <summary>
    /// The SASL mechanisms (PLAIN, LOGIN, SCRAM-SHA-256, OAUTHBEARER, XOAUTH2) and <see cref="PasswordCommand"/> mail
    /// logins may use; a login with another is refused like a wrong password. Empty: not set (any the server offers).
    /// </summary>
    public IList<string> Mechanisms { get; } = [];

    /// <summary>
    /// IMAP capabilities hidden from the account's sessions after login, for clients that break on one: removed from
    /// CAPABILITY and the login's <c>OK [CAPABILITY ...]</c>, refused by ENABLE, and their commands answered as unknown.
    /// A name without <c>=</c> also hides its <c>name=</c> forms (<c>THREAD</c> hides <c>THREAD=REFERENCES</c>).
    /// IMAP4rev1, IMAP4rev2 and what only appears before login (AUTH=, STARTTLS, LOGINDISABLED, SASL-IR) cannot be
    /// hidden. Empty: not set.
    /// </summary>
    public IList<string> HideImapCapabilities { get; } = [];

    /// <summary>
    /// The account's own form of <c>MailHost:Pop3:ReplaceNulBytes</c>: whether POP3 RETR and TOP send NUL bytes of a
    /// message as spaces. Null: not set (the global setting).
    /// </summary>
    public bool? Pop3ReplaceNulBytes { get; set; }
}
