namespace MailHost.Storage;

/// <summary>What <see cref="IMailboxView.FetchAsync"/> should load besides flags and sizes.</summary>
/// <param name="IncludeIndex">Load <see cref="MessageData.Index"/> (ENVELOPE, BODYSTRUCTURE, sections, PREVIEW).</param>
/// <param name="ChangedSince">Only messages whose MODSEQ is greater (RFC 7162 FETCH CHANGEDSINCE), or <see langword="null"/>.</param>
public sealed record FetchOptions(bool IncludeIndex = false, ulong? ChangedSince = null)
{
    /// <summary>Flags, dates, sizes and content only.</summary>
    public static FetchOptions Default { get; } = new();

    /// <summary>Everything, including the MIME index.</summary>
    public static FetchOptions WithIndex { get; } = new(IncludeIndex: true);
}
