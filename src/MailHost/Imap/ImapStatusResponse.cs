using MailHost.Protocols.Imap;
using MailHost.Storage;

namespace MailHost.Imap;

/// <summary>The STATUS response (RFC 9051 §7.3.1) for a mailbox's status from the store, for STATUS and LIST-STATUS (RFC 5819).</summary>
internal static class ImapStatusResponse
{
    /// <summary>Writes the items asked for; APPENDLIMIT (RFC 7889) is the server's <paramref name="maxAppendSize"/>.</summary>
    public static void Write(ImapResponseWriter writer, MailboxStatus status, ImapStatusItems items, long maxAppendSize)
    {
        var values = new List<KeyValuePair<ImapStatusItems, ulong>>();
        void Add(ImapStatusItems item, ulong value)
        {
            if ((items & item) != 0)
            {
                values.Add(new(item, value));
            }
        }

        Add(ImapStatusItems.Messages, (ulong)status.Messages);
        Add(ImapStatusItems.Recent, (ulong)status.Recent);
        Add(ImapStatusItems.UidNext, status.UidNext);
        Add(ImapStatusItems.UidValidity, status.UidValidity);
        Add(ImapStatusItems.Unseen, (ulong)status.Unseen);
        Add(ImapStatusItems.Deleted, (ulong)status.Deleted);
        Add(ImapStatusItems.Size, (ulong)status.Size);
        Add(ImapStatusItems.HighestModSeq, status.HighestModSeq);
        Add(ImapStatusItems.AppendLimit, (ulong)maxAppendSize);
        writer.WriteStatus(status.Name, values, (items & ImapStatusItems.MailboxId) != 0 ? ImapMailboxId.From(status.UidValidity) : null);
    }
}
