using MailHost.Storage;

namespace MailHost.Imap;

/// <summary>
/// The selected state's data (RFC 9051 §3.3): the store's view and the sequence numbers as the client knows them.
/// The store speaks UIDs; sequence number n is <see cref="Uids"/>[n - 1] until the session announces an expunge.
/// </summary>
internal sealed class ImapSelectedMailbox(IMailboxView view, bool readOnly)
{
    public IMailboxView View { get; } = view;

    public bool ReadOnly { get; } = readOnly;

    public string Name => View.Snapshot.Name;

    /// <summary>Every UID the client knows, ascending: its sequence numbers.</summary>
    public List<uint> Uids { get; } = [.. view.Snapshot.Uids];

    /// <summary>UIDs expunged by others and not yet announced (RFC 9051 §7.5.1: only when allowed).</summary>
    public SortedSet<uint> PendingExpunges { get; } = [];

    /// <summary>UIDs that arrived and are not yet announced with EXISTS.</summary>
    public List<uint> PendingArrivals { get; } = [];

    /// <summary>Flag changes by others not yet announced, latest per UID.</summary>
    public SortedDictionary<uint, MailboxChange> PendingFlags { get; } = [];

    /// <summary>The keywords last announced in FLAGS.</summary>
    public IReadOnlyList<string> Keywords
    {
        get;
        set
        {
            field = value;
            AnnouncedKeywords = new HashSet<string>(value, StringComparer.OrdinalIgnoreCase);
        }
    } = view.Snapshot.Keywords;

    /// <summary><see cref="Keywords"/> for lookups: keywords compare case-insensitively (RFC 9051 §2.3.2).</summary>
    public HashSet<string> AnnouncedKeywords { get; private set; } = new(view.Snapshot.Keywords, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The messages recent in this session (RFC 3501 §2.3.2), IMAP4rev1 only: claimed from the store on SELECT and as
    /// new messages are announced; they lose \Recent only when they leave the mailbox or the session leaves it.
    /// </summary>
    public HashSet<uint> Recent { get; } = [];

    /// <summary>Whether any of <paramref name="keywords"/> has not been announced in FLAGS yet.</summary>
    public bool HasUnannounced(IReadOnlyList<string> keywords)
    {
        for (int i = 0; i < keywords.Count; i++)
        {
            if (!AnnouncedKeywords.Contains(keywords[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The UIDs saved by <c>SEARCH RETURN (SAVE)</c> (RFC 5182), or empty.</summary>
    public IReadOnlyList<uint> SavedSearch { get; set; } = [];

    /// <summary>The sequence number of <paramref name="uid"/>, or 0 when the client does not know it.</summary>
    public uint SequenceOf(uint uid)
    {
        int index = Uids.BinarySearch(uid);
        return index < 0 ? 0 : (uint)(index + 1);
    }

    /// <summary>
    /// <see cref="SequenceOf(uint)"/> for UIDs taken in ascending order (a FETCH answer): <paramref name="next"/> is the
    /// index after the last UID found, where the next one usually is, so a long answer costs no search per message.
    /// </summary>
    public uint SequenceOf(uint uid, ref int next)
    {
        if (next < Uids.Count && Uids[next] == uid)
        {
            next++;
            return (uint)next;
        }

        int index = Uids.BinarySearch(uid);
        if (index < 0)
        {
            return 0;
        }

        next = index + 1;
        return (uint)next;
    }
}
