namespace MailHost.Filtering;

/// <summary>What a user said about messages by moving them: into the Junk mailbox, or out of it.</summary>
public enum JunkClassification
{
    /// <summary>Moved or copied into the account's <c>\Junk</c> mailbox: spam.</summary>
    Junk,

    /// <summary>Moved or copied out of the <c>\Junk</c> mailbox into another one that is not Trash: not spam.</summary>
    NotJunk,
}
