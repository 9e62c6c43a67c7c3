namespace MailHost.Logins;

/// <summary>
/// One rule of <c>MailHost:Auth:ClientPolicies:Rules</c>: the logins it matches and the settings it applies to them.
/// Every criterion given must hold; at least one must be given. It is keyed on what the server knows once a login
/// resolved, never on what a client says of itself (RFC 2971 §3.1: IMAP <c>ID</c> must not change behaviour).
/// </summary>
public sealed class ClientPolicyRule : ClientPolicySettings
{
    /// <summary>The rule's name, unique among the rules: logged with each session it changes and shown by the CLI.</summary>
    public string? Name { get; set; }

    /// <summary>The account names it matches (case-insensitive); empty for any account.</summary>
    public IList<string> Accounts { get; } = [];

    /// <summary>
    /// The app passwords it matches, by name or id (case-insensitive): the rule applies only to logins with one of them.
    /// Empty for any login, with or without an app password.
    /// </summary>
    public IList<string> AppPasswords { get; } = [];

    /// <summary>The client networks it matches (CIDR or one address); empty for any address.</summary>
    public IList<string> Networks { get; } = [];
}
