namespace MailHost.Storage;

/// <summary>What <see cref="IMailboxView.FetchAsync"/> should load besides flags and sizes.</summary>
/// <param name="IncludeIndex">Load <see cref="MessageData.Index"/> (ENVELOPE, BODYSTRUCTURE, sections, PREVIEW).</param>
/// <param name="ChangedSince">Only messages whose MODSEQ is greater (RFC 7162 FETCH CHANGEDSINCE), or <see langword="null"/>.</param>
public sealed record FetchOptions(bool IncludeIndex = false, ulong? ChangedSince = null)
{
    /// <summary>
    /// The caller will open the content of most messages it gets (header fields, sections, whole messages), not only
    /// read their rows: a store may then read small messages' bytes ahead, with the rows.
    /// </summary>
    public bool ReadsContent { get; init; }

    /// <summary>Flags, dates, sizes and content only.</summary>
    public static FetchOptions Default { get; } = new();

    /// <summary>Everything, including the MIME index.</summary>
    public static FetchOptions WithIndex { get; } = new(IncludeIndex: true);
}
