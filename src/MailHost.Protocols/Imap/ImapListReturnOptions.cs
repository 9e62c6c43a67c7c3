namespace MailHost.Protocols.Imap;

/// <summary>LIST-EXTENDED return options (RFC 5258 §3.2, RFC 6154, RFC 5819 STATUS).</summary>
[Flags]
public enum ImapListReturnOptions
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary><c>SUBSCRIBED</c>.</summary>
    Subscribed = 1,

    /// <summary><c>CHILDREN</c>.</summary>
    Children = 2,

    /// <summary><c>SPECIAL-USE</c>.</summary>
    SpecialUse = 4,

    /// <summary><c>STATUS (items)</c> (RFC 5819); the items are in <see cref="ListCommand.StatusItems"/>.</summary>
    Status = 8,
}
