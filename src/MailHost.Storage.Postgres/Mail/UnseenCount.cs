using Npgsql;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// The messages of a mailbox without <c>\Seen</c> and the lowest such UID: what SELECT reports (RFC 3501 §7.3.1
/// UNSEEN) and what a view's snapshot carries. Read by SELECT and polls, and by a view's own write that changed a
/// <c>\Seen</c> flag, inside that write's transaction under the mailbox row lock.
/// </summary>
internal readonly record struct UnseenCount(int Count, uint First)
{
    /// <summary>The lowest unseen UID, from the partial index <c>messages_unseen</c>, as a subquery on <c>$1</c>.</summary>
    public const string FirstSql = "(SELECT MIN(m.uid) FROM messages m WHERE m.mailbox_id = $1 AND m.flags & 1 = 0)";

    /// <summary>
    /// The count as the mailbox row keeps it and the lowest unseen UID; its columns are named so that it can be told
    /// apart in a batch with other statements.
    /// </summary>
    public const string Sql = $"SELECT unseen::int AS unseen_count, {FirstSql} AS unseen_first FROM mailboxes WHERE id = $1";

    /// <summary>The name of <see cref="Sql"/>'s first column.</summary>
    public const string FirstColumn = "unseen_count";

    public static UnseenCount Read(NpgsqlDataReader r) => new(r.GetInt32(0), r.IsDBNull(1) ? 0 : (uint)r.GetInt64(1));

    /// <summary>Reads the count on its own (one statement).</summary>
    public static async Task<UnseenCount> ReadAsync(PgSession s, long mailboxId, CancellationToken ct)
    {
        var rows = await s.ListAsync(Sql, Read, ct, mailboxId).ConfigureAwait(false);
        return rows.Count > 0 ? rows[0] : default;
    }
}
