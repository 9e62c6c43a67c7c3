using Microsoft.Extensions.Logging;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// The maintenance check of the mail tables: reference counts, account usage, unseen counts and UIDNEXT recomputed
/// from the rows, unreferenced content removed, content without bytes reported. It locks the mail tables against the
/// writers of every host for its duration: a counter recomputed while another transaction adds a reference would be
/// wrong. It is an administrator's command, not a start-up step.
/// </summary>
internal static class PostgresMailCheck
{
    public static async Task<StoreCheckReport> RunAsync(PgSession s, int version, ILogger logger, CancellationToken ct)
    {
        await s.ExecAsync("LOCK TABLE accounts, mailboxes, messages, retained, contents, content_blobs IN EXCLUSIVE MODE", ct).ConfigureAwait(false);
        const string References = "(SELECT COUNT(*) FROM messages WHERE content_id = contents.id) + (SELECT COUNT(*) FROM retained WHERE content_id = contents.id)";
        var counters = await s.ExecAsync($"UPDATE contents SET refs = {References} WHERE refs <> {References}", ct).ConfigureAwait(false);
        counters += await s.ExecAsync(
            """
            UPDATE accounts a SET storage_used = u.bytes, messages_used = u.count
            FROM (SELECT a2.id, COALESCE(SUM(m.size), 0) AS bytes, COUNT(m.uid) AS count
                  FROM accounts a2 LEFT JOIN mailboxes b ON b.account_id = a2.id LEFT JOIN messages m ON m.mailbox_id = b.id
                  GROUP BY a2.id) u
            WHERE a.id = u.id AND (a.storage_used <> u.bytes OR a.messages_used <> u.count)
            """,
            ct).ConfigureAwait(false);

        // The unseen count the triggers keep on each mailbox row.
        counters += await s.ExecAsync(
            """
            UPDATE mailboxes b SET unseen = u.count
            FROM (SELECT b2.id, COUNT(m.uid) AS count
                  FROM mailboxes b2 LEFT JOIN messages m ON m.mailbox_id = b2.id AND m.flags & 1 = 0
                  GROUP BY b2.id) u
            WHERE b.id = u.id AND b.unseen <> u.count
            """,
            ct).ConfigureAwait(false);

        // RFC 9051 §2.3.1.1: UIDNEXT stays above every UID ever given out.
        counters += await s.ExecAsync(
            """
            UPDATE mailboxes b SET uidnext = GREATEST(
                (SELECT COALESCE(MAX(uid), 0) + 1 FROM messages WHERE mailbox_id = b.id),
                (SELECT COALESCE(MAX(uid), 0) + 1 FROM expunged WHERE mailbox_id = b.id))
            WHERE uidnext < GREATEST(
                (SELECT COALESCE(MAX(uid), 0) + 1 FROM messages WHERE mailbox_id = b.id),
                (SELECT COALESCE(MAX(uid), 0) + 1 FROM expunged WHERE mailbox_id = b.id))
            """,
            ct).ConfigureAwait(false);
        var orphans = await s.ExecAsync("DELETE FROM contents WHERE refs <= 0", ct).ConfigureAwait(false);
        orphans += await s.ExecAsync("DELETE FROM content_blobs WHERE address NOT IN (SELECT address FROM contents)", ct).ConfigureAwait(false);
        var missing = (int)(await s.LongAsync("SELECT COUNT(*) FROM contents WHERE address NOT IN (SELECT address FROM content_blobs)", ct).ConfigureAwait(false) ?? 0);
        if (counters + orphans + missing > 0)
        {
            PostgresMailLog.Repaired(logger, counters, orphans, missing);
        }

        return new StoreCheckReport(version, orphans, 0, missing, counters);
    }
}
