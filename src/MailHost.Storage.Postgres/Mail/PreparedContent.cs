namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// Content spooled and indexed before its transaction: the spool stays open so that its bytes can be streamed into
/// the database chunk by chunk (and again if the transaction is retried). The search texts are already folded
/// (<see cref="SearchFolding"/>).
/// </summary>
internal sealed record PreparedContent(
    MessageSpool Spool,
    string IndexJson,
    string ThreadReferencesJson,
    string SearchHeaders,
    string SearchBody,
    string AddressText,
    DateTimeOffset? SentDate,
    string? MessageId,
    IReadOnlyList<string> References)
{
    public string Address => Spool.ContentAddress;

    public long Size => Spool.Length;
}
