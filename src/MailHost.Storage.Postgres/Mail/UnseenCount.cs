using Npgsql;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// The messages of a mailbox without <c>\Seen</c> and the lowest such UID: what SELECT reports (RFC 3501 §7.3.1
/// UNSEEN) and what a view's snapshot carries. Read by SELECT and polls, and by a view's own write that changed a
/// <c>\Seen</c> flag, inside that write's transaction under the mailbox row lock.
/// </summary>
internal readonly record struct UnseenCount(int Count, uint First)
{
    /// <summary>The query; its columns are named so that it can be told apart in a batch with other statements.</summary>
    public const string Sql = "SELECT COUNT(*)::int AS unseen_count, MIN(uid) AS unseen_first FROM messages WHERE mailbox_id = $1 AND flags & 1 = 0";

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
