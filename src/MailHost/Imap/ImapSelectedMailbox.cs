using MailHost.Storage;

namespace MailHost.Imap;

/// <summary>
/// The selected state's data (RFC 9051 §3.3): the store's view, the sequence numbers as the client knows them
/// (<see cref="Messages"/>), the keywords it was told of and its saved search.
/// </summary>
internal sealed class ImapSelectedMailbox(IMailboxView view, bool readOnly)
{
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
            AnnouncedKeywords = new HashSet<string>(value, StringComparer.OrdinalIgnoreCase);
        }
    } = view.Snapshot.Keywords;

    /// <summary><see cref="Keywords"/> for lookups: keywords compare case-insensitively (RFC 9051 §2.3.2).</summary>
    public HashSet<string> AnnouncedKeywords { get; private set; } = new(view.Snapshot.Keywords, StringComparer.OrdinalIgnoreCase);

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
}
