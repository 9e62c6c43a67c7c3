namespace MailHost.Protocols.Imap;

/// <summary>
/// A node of a SEARCH criteria tree. <see cref="Kind"/> says which properties are set (see <see cref="ImapSearchKeyKind"/>);
/// the others are null. Strings are decoded (UTF-8); dates have no time zone (RFC 9051: dates ignore time and zone).
/// </summary>
public sealed record ImapSearchKey(
    ImapSearchKeyKind Kind,
    string? Text = null,
    string? HeaderField = null,
    DateOnly? Date = null,
    ulong? Number = null,
    ImapSequenceSet? Set = null,
    IReadOnlyList<ImapSearchKey>? Children = null)
{
    /// <summary><c>ALL</c>.</summary>
    public static ImapSearchKey All { get; } = new(ImapSearchKeyKind.All);
}
