namespace MailHost.Storage.Common;

/// <summary>
/// One change to an account's mailboxes, planned by <see cref="MailboxTreeRules"/>. A store applies the steps of a
/// plan in order and in one transaction; the checks are all done when the plan exists, so applying it cannot fail
/// for a reason of the rules.
/// </summary>
public abstract record MailboxStep
{
    private protected MailboxStep()
    {
    }

    /// <summary>Creates the mailbox with a fresh UIDVALIDITY (RFC 9051 §2.3.1.1); the name is free when the step runs.</summary>
    public sealed record Create(string Name, MailboxAttributes SpecialUse, bool Noselect) : MailboxStep;

    /// <summary>Removes the mailbox: its messages are released, its expunge records dropped, its open views see it gone.</summary>
    public sealed record Remove(string Name) : MailboxStep;

    /// <summary>Renames one mailbox, keeping UIDVALIDITY, UIDs and messages; the new name is free when the step runs.</summary>
    public sealed record Rename(string Name, string NewName) : MailboxStep;

    /// <summary>
    /// Moves every message of <paramref name="From"/> into <paramref name="To"/> as MOVE would (new UIDs there, the
    /// flags kept; expunged in the source, which stays): RENAME of INBOX (RFC 9051 §6.3.6).
    /// </summary>
    public sealed record MoveMessages(string From, string To) : MailboxStep;

    /// <summary>Replaces the subscription <paramref name="Name"/> by <paramref name="NewName"/> (RENAME moves subscriptions along).</summary>
    public sealed record RenameSubscription(string Name, string NewName) : MailboxStep;
}
