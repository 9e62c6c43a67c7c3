namespace MailHost.Protocols.Imap;

/// <summary>
/// A parsed IMAP command. Each verb has its own sealed record named after it (<see cref="FetchCommand"/>,
/// <see cref="StoreCommand"/>, ...); UID forms are the same records with <c>IsUid</c> set.
/// Mailbox names are decoded (modified UTF-7, or UTF-8 after ENABLE UTF8=ACCEPT) and INBOX in any case is "INBOX";
/// a name that does not decode is passed on marked (<see cref="ImapMailboxName.IsUndecodable"/>).
/// </summary>
/// <param name="Tag">The client's tag.</param>
public abstract record ImapCommand(string Tag)
{
    /// <summary>The command name as on the wire, upper-case, without UID (e.g. <c>FETCH</c>).</summary>
    public abstract string Name { get; }
}
