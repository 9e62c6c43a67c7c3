using System.Globalization;

namespace MailHost.Imap;

/// <summary>RFC 8474 MAILBOXID, as SELECT, CREATE and STATUS report it.</summary>
internal static class ImapMailboxId
{
    /// <summary>
    /// The id, derived from UIDVALIDITY, which every store keeps unique and rising per account and keeps across
    /// RENAME, so the id survives a rename and is never reused for another mailbox.
    /// </summary>
    public static string From(uint uidValidity) => "F" + uidValidity.ToString(CultureInfo.InvariantCulture);
}
