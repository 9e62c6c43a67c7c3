using MailHost.Storage;

namespace MailHost.Imap;

/// <summary>The special-use attributes of RFC 6154 §2 and the store's flags for them, for CREATE and LIST.</summary>
internal static class ImapSpecialUse
{
    public static readonly (MailboxAttributes Flag, string Name)[] Attributes =
    [
        (MailboxAttributes.All, "\\All"),
        (MailboxAttributes.Archive, "\\Archive"),
        (MailboxAttributes.Drafts, "\\Drafts"),
        (MailboxAttributes.Flagged, "\\Flagged"),
        (MailboxAttributes.Junk, "\\Junk"),
        (MailboxAttributes.Sent, "\\Sent"),
        (MailboxAttributes.Trash, "\\Trash"),
    ];
}
