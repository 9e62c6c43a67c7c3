namespace MailHost.Protocols.Imap;

/// <summary><c>EXPUNGE</c> or <c>UID EXPUNGE set</c> (RFC 9051 §6.4.3, §6.4.9).</summary>
/// <remarks>
/// <para><c>Uids</c>: The UID set of UID EXPUNGE; null for EXPUNGE.</para>
/// </remarks>
public sealed record ExpungeCommand(string Tag, bool IsUid, ImapSequenceSet? Uids) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "EXPUNGE";
}
