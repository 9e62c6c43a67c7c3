using System.Text.Json;
using MailHost.Storage.Mime;
using MailHost.Storage.Search;
using Npgsql;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>How <c>messages</c> and <c>retained</c> rows become <see cref="MessageData"/> and <see cref="SearchMessage"/>.</summary>
internal static class MessageRows
{
    // The columns of both tables, in this order; FETCH joins contents only for the MIME index or when it will read the
    // messages' bytes, and then takes the content address along, so that opening them needs no query to find it.
    public const string Columns = "m.uid, m.flags, m.keywords, m.modseq, m.internal_date, m.internal_offset, m.save_date, m.size, m.email_id, m.thread_id, m.content_id";
    public const string IndexColumns = ", c.index_json, c.thread_references, c.address";
    public const string AddressColumns = ", c.address";
    public const string IndexJoin = "JOIN contents c ON c.id = m.content_id ";
    public const string SentColumns = ", c.sent_date, c.sent_offset";
    private const int Extra = 11;

    /// <summary>Reads a row of <see cref="Columns"/>, followed by <see cref="IndexColumns"/> or, with <paramref name="includeAddress"/> alone, <see cref="AddressColumns"/>.</summary>
    public static MessageData Read(NpgsqlDataReader r, PostgresMailStore store, bool includeIndex, bool includeAddress = false)
    {
        MessageIndex? index = null;
        if (includeIndex)
        {
            index = JsonSerializer.Deserialize<MessageIndex>(r.GetString(Extra), PostgresMailStore.Json)! with
            {
                References = JsonSerializer.Deserialize<string[]>(r.GetString(Extra + 1), PostgresMailStore.Json),
            };
        }

        return new MessageData(
            (uint)r.GetInt64(0),
            (MessageFlags)r.GetInt32(1),
            r.GetFieldValue<string[]>(2),
            (ulong)r.GetInt64(3),
            Date(r.GetInt64(4), r.GetInt32(5)),
            Date(r.GetInt64(6), 0),
            r.GetInt64(7),
            r.GetString(8),
            r.GetString(9),
            index,
            new PostgresMessageContent(store, r.GetInt64(10), r.GetInt64(7), includeIndex ? r.GetString(Extra + 2) : includeAddress ? r.GetString(Extra) : null));
    }

    public static SearchMessage ReadSearch(NpgsqlDataReader r) => new(
        (uint)r.GetInt64(0),
        (MessageFlags)r.GetInt32(1),
        r.GetFieldValue<string[]>(2),
        Date(r.GetInt64(4), r.GetInt32(5)),
        Date(r.GetInt64(6), 0),
        r.IsDBNull(Extra) ? null : Date(r.GetInt64(Extra), r.GetInt32(Extra + 1)),
        r.GetInt64(7),
        (ulong)r.GetInt64(3),
        r.GetString(8),
        r.GetString(9));

    private static DateTimeOffset Date(long unixMilliseconds, int offsetMinutes) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).ToOffset(TimeSpan.FromMinutes(offsetMinutes));
}
