using MailHost.Storage.Mime;

namespace MailHost.Storage.Sqlite.Mail;

/// <summary>The mail database's numbered migrations (applied by <see cref="SqliteDatabase.MigrateAsync"/>).</summary>
/// <remarks>
/// <para>
/// Version 2 adds <c>contents.thread_references</c>: the References ids of <see cref="MessageIndex.References"/> as a
/// JSON array, kept apart from <c>index_json</c>. Rows stored at version 1 have NULL there; reading them re-derives the
/// ids from the stored message's header block (see <see cref="SqliteMailboxView"/>), so THREAD=REFERENCES is correct
/// for old mail without a rewrite of every row at upgrade.
/// </para>
/// <para>
/// Version 3 copies the content size onto <c>messages.size</c>. A <c>contents</c> row carries the inline bytes of a
/// small message, so it fills a page of its own; reading sizes from there cost one page per message, which made
/// <c>FETCH 1:* (FLAGS)</c> read the whole mailbox's pages after every commit. FETCH, STATUS and COPY now read the
/// <c>messages</c> rows alone unless they need the index.
/// </para>
/// <para>
/// Version 4 takes full-text indexing out of the delivery transaction. New content's searchable text goes into
/// <c>text_pending</c>, and released content is listed in <c>text_released</c>; a background pass moves both into the
/// <c>content_text</c> index in batches (<see cref="SqliteMailStore.IndexPendingTextAsync"/>). SEARCH reads the index
/// and the pending rows in one read transaction, so a message is found the moment its delivery commits. Any number
/// of processes may run the pass: each batch is one transaction.
/// </para>
/// <para>
/// Version 5 adds <c>mailboxes.first_recent_uid</c>, the lowest UID no IMAP4rev1 session has claimed as <c>\Recent</c>
/// (RFC 3501 §2.3.2). A session that selects the mailbox read-write moves it past its snapshot in one write, so a
/// message is recent in exactly one session whichever process serves it. Mailboxes that existed before start with
/// nothing recent (the column is set to <c>uidnext</c>); new mailboxes start at 1.
/// </para>
/// <para>
/// Version 6 adds <c>content_addresses</c>: the From, To, Cc and Bcc addresses as parsed at delivery, one
/// <c>Field: Name &lt;mailbox@host&gt;</c> line each (<see cref="Search.AddressSearchText"/>), which FROM, TO, CC and BCC
/// search beside the raw header text. The migration fills it for stored content from the envelope in
/// <c>index_json</c>, so older mail is found the same way without being parsed again; the one difference is that a
/// non-ASCII display name stays as the envelope keeps it (RFC 2047-encoded) there, and is matched through the
/// decoded header text instead.
/// </para>
/// <para>
/// Version 7 adds <c>retained</c>: the rows of expunged messages that an open view of this process still shows
/// (RFC 2180 §4.1.1), each holding one reference to its content, so that a session not yet told of an expunge can
/// still fetch the message whole. A row goes once no view holds it; the start-up check releases every row, since
/// no view survives a restart (see <see cref="IMailboxView"/>).
/// </para>
/// Row ids are AUTOINCREMENT so they are never reused: views, content handles and the change feed identify
/// mailboxes and contents by id, and a deleted mailbox's id must never name a new one.
/// </remarks>
internal static class SqliteMailSchema
{
    public static IReadOnlyList<string> Migrations { get; } =
    [
        """
        CREATE TABLE accounts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            last_uidvalidity INTEGER NOT NULL DEFAULT 0,
            storage_used INTEGER NOT NULL DEFAULT 0,
            messages_used INTEGER NOT NULL DEFAULT 0,
            quota_set INTEGER NOT NULL DEFAULT 0,
            quota_storage INTEGER,
            quota_messages INTEGER);
        CREATE TABLE mailboxes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            name TEXT NOT NULL,
            uidvalidity INTEGER NOT NULL,
            uidnext INTEGER NOT NULL DEFAULT 1,
            highest_modseq INTEGER NOT NULL DEFAULT 1,
            special_use INTEGER NOT NULL DEFAULT 0,
            noselect INTEGER NOT NULL DEFAULT 0,
            keywords TEXT NOT NULL DEFAULT '',
            UNIQUE (account_id, name));
        CREATE TABLE subscriptions (
            account_id INTEGER NOT NULL REFERENCES accounts(id),
            name TEXT NOT NULL,
            PRIMARY KEY (account_id, name)) WITHOUT ROWID;
        CREATE TABLE contents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            address TEXT NOT NULL UNIQUE,
            size INTEGER NOT NULL,
            refs INTEGER NOT NULL,
            inline BLOB,
            index_json TEXT NOT NULL,
            sent_date INTEGER,
            sent_offset INTEGER,
            header_text TEXT NOT NULL);
        CREATE TABLE messages (
            mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id),
            uid INTEGER NOT NULL,
            content_id INTEGER NOT NULL REFERENCES contents(id),
            flags INTEGER NOT NULL,
            keywords TEXT NOT NULL,
            modseq INTEGER NOT NULL,
            internal_date INTEGER NOT NULL,
            internal_offset INTEGER NOT NULL,
            save_date INTEGER NOT NULL,
            email_id TEXT NOT NULL,
            thread_id TEXT NOT NULL,
            PRIMARY KEY (mailbox_id, uid)) WITHOUT ROWID;
        CREATE INDEX messages_by_modseq ON messages (mailbox_id, modseq);
        CREATE INDEX messages_by_content ON messages (content_id);
        CREATE TABLE expunged (
            mailbox_id INTEGER NOT NULL,
            uid INTEGER NOT NULL,
            modseq INTEGER NOT NULL,
            PRIMARY KEY (mailbox_id, uid)) WITHOUT ROWID;
        CREATE TABLE threads (
            account_id INTEGER NOT NULL,
            message_id TEXT NOT NULL,
            thread_id TEXT NOT NULL,
            PRIMARY KEY (account_id, message_id)) WITHOUT ROWID;
        CREATE VIRTUAL TABLE content_text USING fts5 (headers, body, tokenize = 'trigram case_sensitive 0');
        """,
        """
        ALTER TABLE contents ADD COLUMN thread_references TEXT;
        """,
        """
        ALTER TABLE messages ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
        UPDATE messages SET size = (SELECT size FROM contents WHERE contents.id = messages.content_id);
        """,
        """
        CREATE TABLE text_pending (
            content_id INTEGER PRIMARY KEY,
            headers TEXT NOT NULL,
            body TEXT NOT NULL);
        CREATE TABLE text_released (content_id INTEGER PRIMARY KEY);
        """,
        """
        ALTER TABLE mailboxes ADD COLUMN first_recent_uid INTEGER NOT NULL DEFAULT 1;
        UPDATE mailboxes SET first_recent_uid = uidnext;
        """,
        """
        CREATE TABLE content_addresses (
            content_id INTEGER PRIMARY KEY,
            addresses TEXT NOT NULL);
        INSERT INTO content_addresses (content_id, addresses)
        SELECT id, addresses FROM (
            SELECT c.id, (
                SELECT group_concat(f.name || ': ' || CASE
                    WHEN json_extract(a.value, '$.Host') IS NULL THEN json_extract(a.value, '$.Mailbox') || ':'
                    WHEN json_extract(a.value, '$.Name') IS NULL
                        THEN json_extract(a.value, '$.Mailbox') || iif(json_extract(a.value, '$.Host') = '', '', '@' || json_extract(a.value, '$.Host'))
                    ELSE json_extract(a.value, '$.Name') || ' <' || json_extract(a.value, '$.Mailbox')
                        || iif(json_extract(a.value, '$.Host') = '', '', '@' || json_extract(a.value, '$.Host')) || '>'
                    END || char(10), '')
                FROM (SELECT 'From' AS name UNION ALL SELECT 'To' UNION ALL SELECT 'Cc' UNION ALL SELECT 'Bcc') AS f
                JOIN json_each(c.index_json, '$.Envelope.' || f.name) AS a) AS addresses
            FROM contents c WHERE json_valid(c.index_json))
        WHERE addresses <> '';
        """,
        """
        CREATE TABLE retained (
            mailbox_id INTEGER NOT NULL,
            uid INTEGER NOT NULL,
            content_id INTEGER NOT NULL REFERENCES contents(id),
            flags INTEGER NOT NULL,
            keywords TEXT NOT NULL,
            modseq INTEGER NOT NULL,
            internal_date INTEGER NOT NULL,
            internal_offset INTEGER NOT NULL,
            save_date INTEGER NOT NULL,
            email_id TEXT NOT NULL,
            thread_id TEXT NOT NULL,
            size INTEGER NOT NULL,
            PRIMARY KEY (mailbox_id, uid)) WITHOUT ROWID;
        CREATE INDEX retained_by_content ON retained (content_id);
        """,
    ];
}
