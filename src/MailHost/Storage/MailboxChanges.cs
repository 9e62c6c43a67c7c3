namespace MailHost.Storage;

/// <summary>
/// Changes made by others since the view last looked, in MODSEQ order, and the view's new state. The session
/// decides when to tell the client (EXPUNGE only where RFC 9051 §7.5.1 allows it).
/// </summary>
/// <param name="Changes">Expunges of messages the view knew, flag changes of messages it knows, and appends; by MODSEQ.</param>
/// <param name="Snapshot">The view's snapshot after applying them.</param>
/// <param name="KeywordsChanged">Whether new keywords were defined (send FLAGS again).</param>
public sealed record MailboxChanges(IReadOnlyList<MailboxChange> Changes, MailboxSnapshot Snapshot, bool KeywordsChanged);
