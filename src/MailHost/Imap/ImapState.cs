namespace MailHost.Imap;

/// <summary>The connection states of RFC 9051 §3.</summary>
internal enum ImapState
{
    /// <summary>Before LOGIN or AUTHENTICATE (§3.1).</summary>
    NotAuthenticated = 1,

    /// <summary>Logged in, no mailbox selected (§3.2).</summary>
    Authenticated = 2,

    /// <summary>A mailbox is selected (§3.3).</summary>
    Selected = 4,

    /// <summary>Closing (§3.4).</summary>
    Logout = 8,
}
