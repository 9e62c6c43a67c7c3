using MailHost.Protocols.Imap;
using MailHost.Storage;

namespace MailHost.Imap;

/// <summary>
/// The selected state's data (RFC 9051 §3.3): the store's view, the sequence numbers as the client knows them
/// (<see cref="Messages"/>), the keywords it was told of and its saved search.
/// </summary>
internal sealed class ImapSelectedMailbox(IMailboxView view, bool readOnly)
{
    // Keywords for lookups: they compare case-insensitively (RFC 9051 §2.3.2).
    private HashSet<string> _announcedKeywords = new(view.Snapshot.Keywords, StringComparer.OrdinalIgnoreCase);

    public IMailboxView View { get; } = view;

    public bool ReadOnly { get; } = readOnly;

    public string Name => View.Snapshot.Name;

    /// <summary>The sequence numbers the client knows and the changes of others waiting to be announced.</summary>
    public ImapSequenceTracker Messages { get; } = new(view.Snapshot.Uids);

    /// <summary>The keywords last announced in FLAGS.</summary>
    public IReadOnlyList<string> Keywords
    {
        get;
        set
        {
            field = value;
            _announcedKeywords = new HashSet<string>(value, StringComparer.OrdinalIgnoreCase);
        }
    } = view.Snapshot.Keywords;

    /// <summary>The UIDs saved by <c>SEARCH RETURN (SAVE)</c> (RFC 5182), or empty.</summary>
    public IReadOnlyList<uint> SavedSearch { get; set; } = [];

    /// <summary>Whether any of <paramref name="keywords"/> has not been announced in FLAGS yet.</summary>
    public bool HasUnannounced(IReadOnlyList<string> keywords)
    {
        for (var i = 0; i < keywords.Count; i++)
        {
            if (!_announcedKeywords.Contains(keywords[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Resolves a sequence set (or UID set with <paramref name="isUid"/>) against the client's view to UIDs; see
    /// <see cref="ImapSequenceTracker.TryResolve"/>. RFC 5182 §2.1: <c>$</c> is the saved UIDs, less those expunged since.
    /// </summary>
    public bool TryResolve(ImapSequenceSet set, bool isUid, out UidSet uids, bool lenient = false)
    {
        if (set.IsSavedResult)
        {
            uids = UidSet.FromUids(SavedSearch.Where(u => Messages.SequenceOf(u) > 0));
            return true;
        }

        return Messages.TryResolve(set, isUid, lenient, out uids);
    }
}
