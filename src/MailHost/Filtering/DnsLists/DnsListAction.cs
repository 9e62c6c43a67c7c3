namespace MailHost.Filtering.DnsLists;

/// <summary>What a listing on a block list does to the connection.</summary>
public enum DnsListAction
{
    /// <summary>Refuse the session: the client is greeted with <c>554 5.7.1</c> (RFC 5321 §3.1).</summary>
    Reject,

    /// <summary>Accept the session, and deliver its messages to the recipients' <c>\Junk</c> mailboxes.</summary>
    Junk,
}
