namespace MailHost.Protocols.Imap;

/// <summary><c>CREATE mailbox [(USE (special-use...))]</c> (RFC 9051 §6.3.4, CREATE-SPECIAL-USE RFC 6154 §3).</summary>
/// <remarks>
/// <para><c>SpecialUse</c>: The requested special-use attributes (<c>\Drafts</c>, ...), empty when none.</para>
/// </remarks>
public sealed record CreateCommand(string Tag, string Mailbox, IReadOnlyList<string> SpecialUse) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "CREATE";
}
