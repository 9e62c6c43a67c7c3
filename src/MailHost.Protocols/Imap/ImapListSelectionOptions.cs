namespace MailHost.Protocols.Imap;

/// <summary>LIST-EXTENDED selection options (RFC 5258 §3.1, RFC 6154).</summary>
[Flags]
public enum ImapListSelectionOptions
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary><c>SUBSCRIBED</c>.</summary>
    Subscribed = 1,

    /// <summary><c>REMOTE</c>.</summary>
    Remote = 2,

    /// <summary><c>RECURSIVEMATCH</c>.</summary>
    RecursiveMatch = 4,

    /// <summary><c>SPECIAL-USE</c> (RFC 6154).</summary>
    SpecialUse = 8,
}
