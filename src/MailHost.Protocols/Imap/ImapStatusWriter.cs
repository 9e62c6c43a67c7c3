namespace MailHost.Protocols.Imap;

/// <summary>
/// Writes STATUS responses (RFC 9051 §7.3.2, RFC 8474 §4.2). Pure: built on the primitives of <see cref="ImapResponseWriter"/>;
/// nothing is flushed here.
/// </summary>
public static class ImapStatusWriter
{
    /// <summary>Writes <c>* STATUS mailbox (item value ...)</c> CRLF (RFC 9051 §7.3.2); items in the given order.</summary>
    public static void WriteStatus(this ImapResponseWriter writer, string mailbox, IEnumerable<KeyValuePair<ImapStatusItems, ulong>> items, string? mailboxId = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        writer.WriteRaw("* STATUS "u8);
        writer.WriteMailbox(mailbox);
        writer.WriteRaw(" ("u8);
        var first = true;
        foreach (var (item, value) in items)
        {
            if (!first)
            {
                writer.WriteSpace();
            }

            first = false;
            writer.WriteRaw(StatusItemName(item));
            writer.WriteSpace();
            writer.WriteNumber(value);
        }

        if (mailboxId is not null)
        {
            // RFC 8474 §4.2: MAILBOXID (objectid), an atom the server made.
            writer.WriteRaw(first ? "MAILBOXID ("u8 : " MAILBOXID ("u8);
            writer.WriteAtom(mailboxId);
            writer.WriteByte((byte)')');
        }

        writer.WriteRaw(")\r\n"u8);
    }

    private static ReadOnlySpan<byte> StatusItemName(ImapStatusItems item) => item switch
    {
        ImapStatusItems.Messages => "MESSAGES"u8,
        ImapStatusItems.UidNext => "UIDNEXT"u8,
        ImapStatusItems.UidValidity => "UIDVALIDITY"u8,
        ImapStatusItems.Unseen => "UNSEEN"u8,
        ImapStatusItems.Deleted => "DELETED"u8,
        ImapStatusItems.Size => "SIZE"u8,
        ImapStatusItems.Recent => "RECENT"u8,
        ImapStatusItems.HighestModSeq => "HIGHESTMODSEQ"u8,
        ImapStatusItems.AppendLimit => "APPENDLIMIT"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(item), "One numeric status item at a time."),
    };
}
