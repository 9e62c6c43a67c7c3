using System.Text;
using MailHost.Storage;

namespace MailHost.Imap;

/// <summary>IMAP flags (RFC 9051 §2.3.2) to and from the store's <see cref="MessageFlags"/> and keywords.</summary>
internal static class ImapFlags
{
    // The five system flags in every combination, in FlagNames' order and wire form: "\Seen \Answered", ...
    private static readonly byte[][] SystemFlagText = [.. Enumerable.Range(0, 32).Select(bits => Encoding.ASCII.GetBytes(string.Join(' ', FlagNames((MessageFlags)bits))))];

    // The same with \Recent last, for the messages recent in an IMAP4rev1 session (RFC 3501 §2.3.2).
    private static readonly byte[][] RecentFlagText = [.. SystemFlagText.Select(text => text.Length == 0 ? "\\Recent"u8.ToArray() : [.. text, .. " \\Recent"u8])];

    /// <summary>Splits IMAP flags into system flags and keywords; <c>\Recent</c> is ignored (RFC 9051 dropped it).</summary>
    public static (MessageFlags Flags, List<string> Keywords, bool Valid) Parse(IReadOnlyList<string> flags)
    {
        var system = MessageFlags.None;
        var keywords = new List<string>();
        var valid = true;
        foreach (var flag in flags)
        {
            if (flag.StartsWith('\\'))
            {
                switch (flag.ToUpperInvariant())
                {
                    case "\\SEEN": system |= MessageFlags.Seen; break;
                    case "\\ANSWERED": system |= MessageFlags.Answered; break;
                    case "\\FLAGGED": system |= MessageFlags.Flagged; break;
                    case "\\DELETED": system |= MessageFlags.Deleted; break;
                    case "\\DRAFT": system |= MessageFlags.Draft; break;
                    case "\\RECENT": break;
                    default: valid = false; break;
                }
            }
            else if (MessageKeyword.IsValid(flag))
            {
                keywords.Add(flag);
            }
            else
            {
                valid = false;
            }
        }

        return (system, keywords, valid);
    }

    /// <summary>The system flags of a message as FLAGS spells them, with \Recent last when <paramref name="recent"/>.</summary>
    public static byte[] SystemFlags(MessageFlags flags, bool recent) => (recent ? RecentFlagText : SystemFlagText)[(int)flags & 31];

    private static List<string> FlagNames(MessageFlags flags)
    {
        var names = new List<string>(5);
        if ((flags & MessageFlags.Seen) != 0)
        {
            names.Add("\\Seen");
        }

        if ((flags & MessageFlags.Answered) != 0)
        {
            names.Add("\\Answered");
        }

        if ((flags & MessageFlags.Flagged) != 0)
        {
            names.Add("\\Flagged");
        }

        if ((flags & MessageFlags.Deleted) != 0)
        {
            names.Add("\\Deleted");
        }

        if ((flags & MessageFlags.Draft) != 0)
        {
            names.Add("\\Draft");
        }

        return names;
    }
}
