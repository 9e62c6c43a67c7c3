namespace MailHost.Protocols.Imap;

/// <summary><c>LIST [(selection)] reference pattern-or-patterns [RETURN (options)]</c> (RFC 9051 §6.3.9, LIST-EXTENDED RFC 5258, LIST-STATUS RFC 5819). An empty single pattern asks for the hierarchy delimiter.</summary>
/// <remarks>
/// <para><c>IsExtended</c>: True when the extended syntax was used (selection options, a pattern list or RETURN): the reply then follows RFC 5258.</para>
/// </remarks>
public sealed record ListCommand(string Tag, string Reference, IReadOnlyList<string> Patterns, ImapListSelectionOptions Selection = ImapListSelectionOptions.None, ImapListReturnOptions Return = ImapListReturnOptions.None, ImapStatusItems StatusItems = ImapStatusItems.None, bool IsExtended = false) : ImapCommand(Tag)
{
    /// <inheritdoc/>
    public override string Name => "LIST";
}
