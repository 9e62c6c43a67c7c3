namespace MailHost.Storage.Sqlite.Queue;

/// <summary>
/// The schema of <c>queue.db</c> as numbered, forward-only migrations (entry <c>i</c> brings <c>user_version</c>
/// from <c>i</c> to <c>i + 1</c>). Times are Unix milliseconds (UTC).
/// </summary>
internal static class SqliteOutboundQueueSchema
{
    public static readonly IReadOnlyList<string> Migrations =
    [
        // 1: queued messages with their lease, and their recipients.
        """
        CREATE TABLE IF NOT EXISTS queue_messages (
            id TEXT PRIMARY KEY,
            reverse_path TEXT NULL,
            account TEXT NOT NULL,
            body INTEGER NOT NULL,
            smtputf8 INTEGER NOT NULL,
            ret INTEGER NOT NULL,
            envid TEXT NULL,
            size INTEGER NOT NULL,
            created INTEGER NOT NULL,
            expires INTEGER NOT NULL,
            next_attempt INTEGER NOT NULL,
            lease_owner TEXT NULL,
            lease_token TEXT NULL,
            lease_until INTEGER NULL
        );
        CREATE INDEX IF NOT EXISTS queue_messages_due ON queue_messages (next_attempt);
        CREATE TABLE IF NOT EXISTS queue_recipients (
            id INTEGER PRIMARY KEY,
            message_id TEXT NOT NULL REFERENCES queue_messages (id) ON DELETE CASCADE,
            address TEXT NOT NULL,
            domain TEXT NOT NULL,
            notify INTEGER NOT NULL,
            orcpt_type TEXT NULL,
            orcpt TEXT NULL,
            state INTEGER NOT NULL,
            reported INTEGER NOT NULL,
            attempts INTEGER NOT NULL,
            next_attempt INTEGER NOT NULL,
            last_attempt INTEGER NULL,
            last_reply TEXT NULL,
            remote_mta TEXT NULL
        );
        CREATE INDEX IF NOT EXISTS queue_recipients_message ON queue_recipients (message_id, id);
        """,

        // 2: DKIM signing keys, one active key per domain.
        """
        CREATE TABLE IF NOT EXISTS dkim_keys (
            domain TEXT PRIMARY KEY,
            selector TEXT NOT NULL,
            algorithm TEXT NOT NULL,
            private_key TEXT NOT NULL,
            created INTEGER NOT NULL
        );
        """,

        // 3: who wrote each message (0 submission, 1 the server); rows from before were all submissions or
        // notifications, and count as submissions, so a notification queued across the upgrade goes unsigned.
        """
        ALTER TABLE queue_messages ADD COLUMN origin INTEGER NOT NULL DEFAULT 0;
        """,
    ];
}
