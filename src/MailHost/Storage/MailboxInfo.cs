namespace MailHost.Storage;

/// <summary>One mailbox as LIST shows it.</summary>
/// <param name="Name">The full name, levels separated by <see cref="MailboxName.Delimiter"/>; INBOX is always spelled <c>INBOX</c>.</param>
/// <param name="Attributes">Hierarchy, subscription and special-use attributes.</param>
public sealed record MailboxInfo(string Name, MailboxAttributes Attributes);
