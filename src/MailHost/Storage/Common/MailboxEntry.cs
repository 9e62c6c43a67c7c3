namespace MailHost.Storage.Common;

/// <summary>One mailbox of an account as a store keeps it: the canonical name, its special-use role and whether it is a <c>\Noselect</c> placeholder.</summary>
/// <param name="Name">The canonical name (<see cref="MailboxName.Normalize"/>).</param>
/// <param name="SpecialUse">Special-use attributes (RFC 6154), bits of <see cref="MailboxAttributes.SpecialUseMask"/> only.</param>
/// <param name="Noselect">Whether the name only holds its children's place (RFC 9051 §6.3.5) and holds no messages.</param>
public sealed record MailboxEntry(string Name, MailboxAttributes SpecialUse, bool Noselect);
