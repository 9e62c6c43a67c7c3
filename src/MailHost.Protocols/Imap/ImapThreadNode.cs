namespace MailHost.Protocols.Imap;

/// <summary>One node of a thread tree (RFC 5256 §3): a message with its replies, or a dummy that only groups them.</summary>
/// <param name="Number">The message's number (sequence number or UID), or <see langword="null"/> for a dummy: a message that is referenced but not among the searched messages.</param>
/// <param name="Children">The node's children, in the order the response lists them.</param>
public sealed record ImapThreadNode(uint? Number, IReadOnlyList<ImapThreadNode> Children)
{
    /// <summary>Whether this node stands for a message that was not searched (its children share a parent the client does not see).</summary>
    public bool IsDummy => Number is null;
}
