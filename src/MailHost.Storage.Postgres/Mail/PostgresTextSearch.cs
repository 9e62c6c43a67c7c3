using MailHost.Storage.Search;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// SEARCH text criteria against one mailbox's contents (RFC 9051 §6.4.4): a case-sensitive <c>LIKE</c> on the folded
/// search columns (<see cref="SearchFolding"/>), which the <c>pg_trgm</c> GIN indexes serve, is the exact
/// case-insensitive substring match of the other stores; a HEADER match is then confirmed in the named header.
/// The text is written with the content, so a message is found as soon as its append returns.
/// </summary>
internal static class PostgresTextSearch
{
    private const string Mine = "SELECT content_id FROM messages WHERE mailbox_id = $1";

    /// <summary>The ids of the mailbox's contents that match <paramref name="criterion"/>.</summary>
    public static async Task<HashSet<long>> MatchAsync(PgSession s, long mailboxId, SearchCriteria criterion, CancellationToken ct)
    {
        switch (criterion)
        {
            case AddressCriterion address:
                // The header text as for HEADER, and the addresses parsed at delivery, read whole: the value may span
                // what the header splits with comments and folding, so no index helps.
                var found = await MatchAsync(s, mailboxId, new HeaderCriterion(address.Field, address.Value), ct).ConfigureAwait(false);
                foreach (var (id, text) in await s.ListAsync(
                    $"SELECT id, address_text FROM contents WHERE id IN ({Mine}) AND address_text <> ''",
                    r => (r.GetInt64(0), r.GetString(1)),
                    ct,
                    mailboxId).ConfigureAwait(false))
                {
                    if (SearchText.HeaderMatches(text, address.Field, address.Value))
                    {
                        found.Add(id);
                    }
                }

                return found;
            case HeaderCriterion header:
                var matches = new HashSet<long>();
                foreach (var (id, text) in await s.ListAsync(
                    $"SELECT id, search_headers FROM contents WHERE id IN ({Mine}) AND search_headers LIKE $2",
                    r => (r.GetInt64(0), r.GetString(1)),
                    ct,
                    mailboxId,
                    SearchFolding.ContainsPattern(header.Value)).ConfigureAwait(false))
                {
                    // The index found the value somewhere in the headers; it must be in the named one.
                    if (SearchText.HeaderMatches(text, header.Name, header.Value))
                    {
                        matches.Add(id);
                    }
                }

                return matches;
            case TextCriterion { Scope: TextScope.Body } body:
                return [.. await s.ListAsync($"SELECT id FROM contents WHERE id IN ({Mine}) AND search_body LIKE $2", r => r.GetInt64(0), ct, mailboxId, SearchFolding.ContainsPattern(body.Value)).ConfigureAwait(false)];
            case TextCriterion text:
                return [.. await s.ListAsync(
                    $"SELECT id FROM contents WHERE id IN ({Mine}) AND (search_headers LIKE $2 OR search_body LIKE $2)",
                    r => r.GetInt64(0),
                    ct,
                    mailboxId,
                    SearchFolding.ContainsPattern(text.Value)).ConfigureAwait(false)];
            default:
                throw new ArgumentException("Not a text criterion.", nameof(criterion));
        }
    }
}
