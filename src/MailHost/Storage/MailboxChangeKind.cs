namespace MailHost.Storage;

/// <summary>What happened to a message, as seen by another view of the same mailbox.</summary>
public enum MailboxChangeKind
{
    /// <summary>A message arrived (EXISTS).</summary>
    Appended,

    /// <summary>A message was expunged (EXPUNGE / VANISHED).</summary>
    Expunged,

    /// <summary>A message's flags changed (FETCH FLAGS ... MODSEQ).</summary>
    FlagsChanged,
}
