namespace MailHost.Accounts;

/// <summary>
/// The mail protocols an app password may log in with. Nothing else accepts one: the administration console and its
/// HTTP API take the account's own password (and second factor) or an API key only.
/// </summary>
[Flags]
public enum AppPasswordProtocols
{
    /// <summary>No protocol: an app password that allows nothing.</summary>
    None = 0,

    /// <summary>IMAP (LOGIN and AUTHENTICATE PLAIN or LOGIN).</summary>
    Imap = 1,

    /// <summary>POP3 (USER/PASS and AUTH PLAIN or LOGIN).</summary>
    Pop3 = 2,

    /// <summary>SMTP AUTH PLAIN or LOGIN, as mail submission uses it.</summary>
    Smtp = 4,

    /// <summary>IMAP, POP3 and SMTP: what a phone's mail app needs.</summary>
    All = Imap | Pop3 | Smtp,
}
