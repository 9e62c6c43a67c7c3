namespace MailHost.Storage.Search;

/// <summary>The per-message facts <see cref="SearchEvaluator"/> needs; stores fill it from their rows.</summary>
/// <param name="Uid">The UID.</param>
/// <param name="Flags">System flags.</param>
/// <param name="Keywords">Keywords.</param>
/// <param name="InternalDate">INTERNALDATE.</param>
/// <param name="SaveDate">SAVEDATE.</param>
/// <param name="SentDate">The Date header, or <see langword="null"/>.</param>
/// <param name="Size">Size in octets.</param>
/// <param name="ModSeq">MODSEQ.</param>
/// <param name="EmailId">EMAILID.</param>
/// <param name="ThreadId">THREADID.</param>
public sealed record SearchMessage(
    uint Uid,
    MessageFlags Flags,
    IReadOnlyList<string> Keywords,
    DateTimeOffset InternalDate,
    DateTimeOffset SaveDate,
    DateTimeOffset? SentDate,
    long Size,
    ulong ModSeq,
    string EmailId,
    string ThreadId);
