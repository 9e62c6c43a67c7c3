namespace MailHost.Storage.Sqlite.Mail;

/// <summary>Content that was spooled and indexed outside the writer, ready to be referenced in a transaction.</summary>
internal sealed record PreparedContent(
    string Address,
    long Size,
    byte[]? Inline,
    string? SpoolFile,
    string IndexJson,
    string ThreadReferencesJson,
    string HeaderText,
    string BodyText,
    string AddressText,
    DateTimeOffset? SentDate,
    string? MessageId,
    IReadOnlyList<string> References);
