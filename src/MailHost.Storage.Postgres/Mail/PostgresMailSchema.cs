namespace MailHost.Storage.Postgres.Mail;

/// <summary>The mail tables' forward-only migrations (component <c>mail</c>, applied by <see cref="PostgresSchema.MigrateAsync"/>).</summary>
/// <remarks>
/// <para>
/// Row ids are identity columns and never reused: views, content handles and the change feed name mailboxes by id,
/// and a deleted mailbox's id must never name a new one.
/// </para>
/// <para>
/// A mailbox row carries UIDNEXT and HIGHESTMODSEQ; every write to a mailbox's messages takes that row
/// <c>FOR UPDATE</c> first, so the commits of one mailbox happen one after another and UIDs and MODSEQs become
/// visible in increasing order whichever host wrote them (RFC 9051 §2.3.1.1, RFC 7162 §3.1.1).
/// </para>
/// <para>
/// Content is addressed by its SHA-256 and stored once with a reference count (<c>contents</c>); its bytes live
/// in <c>content_blobs</c>/<c>content_chunks</c>, behind <see cref="IContentBlobs"/>. The search text is kept upper-cased
/// per character (.NET's invariant simple case mapping, the one of <see cref="StringComparison.OrdinalIgnoreCase"/>)
/// under <c>pg_trgm</c> GIN indexes, so a case-sensitive <c>LIKE</c> there is the exact case-insensitive substring
/// match of the other stores, independent of the database's collation.
/// </para>
/// <para>
/// <c>retained</c> holds the expunged messages an open view of one host still shows (RFC 2180 §4.1.1), tagged with
/// that host's instance id: only that host releases them.
/// </para>
/// </remarks>
internal static class PostgresMailSchema
{
    public const string Component = "mail";

    public static IReadOnlyList<PostgresMigration> Migrations { get; } =
    [
        new(1, """
            CREATE EXTENSION IF NOT EXISTS pg_trgm;
            CREATE TABLE accounts (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                name text NOT NULL UNIQUE,
                last_uidvalidity bigint NOT NULL DEFAULT 0,
                storage_used bigint NOT NULL DEFAULT 0,
                messages_used bigint NOT NULL DEFAULT 0,
                quota_set boolean NOT NULL DEFAULT false,
                quota_storage bigint,
                quota_messages bigint);
            CREATE TABLE mailboxes (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                account_id bigint NOT NULL REFERENCES accounts(id),
                name text NOT NULL,
                uidvalidity bigint NOT NULL,
                uidnext bigint NOT NULL DEFAULT 1,
                highest_modseq bigint NOT NULL DEFAULT 1,
                special_use integer NOT NULL DEFAULT 0,
                noselect boolean NOT NULL DEFAULT false,
                keywords text[] NOT NULL DEFAULT '{}',
                first_recent_uid bigint NOT NULL DEFAULT 1,
                UNIQUE (account_id, name));
            CREATE TABLE subscriptions (
                account_id bigint NOT NULL REFERENCES accounts(id),
                name text NOT NULL,
                PRIMARY KEY (account_id, name));
            CREATE TABLE contents (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                address text NOT NULL UNIQUE,
                size bigint NOT NULL,
                refs integer NOT NULL,
                index_json text NOT NULL,
                thread_references text NOT NULL,
                sent_date bigint,
                sent_offset integer,
                search_headers text NOT NULL,
                search_body text NOT NULL,
                address_text text NOT NULL);
            CREATE INDEX contents_headers_trgm ON contents USING gin (search_headers gin_trgm_ops);
            CREATE INDEX contents_body_trgm ON contents USING gin (search_body gin_trgm_ops);
            CREATE TABLE content_blobs (
                address text PRIMARY KEY,
                size bigint NOT NULL,
                chunk_size integer NOT NULL);
            CREATE TABLE content_chunks (
                address text NOT NULL REFERENCES content_blobs(address) ON DELETE CASCADE,
                seq integer NOT NULL,
                data bytea NOT NULL,
                PRIMARY KEY (address, seq));
            CREATE TABLE messages (
                mailbox_id bigint NOT NULL REFERENCES mailboxes(id),
                uid bigint NOT NULL,
                content_id bigint NOT NULL REFERENCES contents(id),
                flags integer NOT NULL,
                keywords text[] NOT NULL,
                modseq bigint NOT NULL,
                internal_date bigint NOT NULL,
                internal_offset integer NOT NULL,
                save_date bigint NOT NULL,
                email_id text NOT NULL,
                thread_id text NOT NULL,
                size bigint NOT NULL,
                PRIMARY KEY (mailbox_id, uid));
            CREATE INDEX messages_by_modseq ON messages (mailbox_id, modseq);
            CREATE INDEX messages_by_content ON messages (content_id);
            CREATE TABLE retained (
                mailbox_id bigint NOT NULL,
                uid bigint NOT NULL,
                instance text NOT NULL,
                content_id bigint NOT NULL REFERENCES contents(id),
                flags integer NOT NULL,
                keywords text[] NOT NULL,
                modseq bigint NOT NULL,
                internal_date bigint NOT NULL,
                internal_offset integer NOT NULL,
                save_date bigint NOT NULL,
                email_id text NOT NULL,
                thread_id text NOT NULL,
                size bigint NOT NULL,
                PRIMARY KEY (mailbox_id, uid));
            CREATE INDEX retained_by_instance ON retained (instance, mailbox_id);
            CREATE INDEX retained_by_content ON retained (content_id);
            CREATE TABLE expunged (
                mailbox_id bigint NOT NULL,
                uid bigint NOT NULL,
                modseq bigint NOT NULL,
                PRIMARY KEY (mailbox_id, uid));
            CREATE INDEX expunged_by_modseq ON expunged (mailbox_id, modseq);
            CREATE TABLE threads (
                account_id bigint NOT NULL,
                message_id text NOT NULL,
                thread_id text NOT NULL,
                PRIMARY KEY (account_id, message_id));
            """),

        // Every poll that finds changes and every SELECT count a mailbox's messages without \Seen and find the lowest:
        // from this index alone, without visiting each message's row.
        new(2, "CREATE INDEX messages_unseen ON messages (mailbox_id, uid) WHERE flags & 1 = 0;"),

        // EXPUNGE reads only the messages flagged \Deleted (flag bit 8): from this index, not the whole mailbox.
        new(3, "CREATE INDEX messages_deleted ON messages (mailbox_id, uid) WHERE flags & 8 <> 0;"),

        // The count of a mailbox's messages without \Seen (flag bit 1), which SELECT, STATUS and every poll that finds
        // changes report, kept on the mailbox row instead of counted (a count visits every unseen message's row, over
        // a millisecond for a thousand). Triggers keep it, so that every writer, present and future, does: each fires
        // only for a row whose \Seen makes a difference (the WHEN clause is evaluated without calling the function),
        // and updates the mailbox row its writer already holds FOR UPDATE.
        new(4, """
            ALTER TABLE mailboxes ADD COLUMN unseen bigint NOT NULL DEFAULT 0;
            UPDATE mailboxes b SET unseen = (SELECT COUNT(*) FROM messages m WHERE m.mailbox_id = b.id AND m.flags & 1 = 0);
            CREATE FUNCTION mailhost_unseen_up() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE mailboxes SET unseen = unseen + 1 WHERE id = NEW.mailbox_id;
                RETURN NULL;
            END $$;
            CREATE FUNCTION mailhost_unseen_down() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE mailboxes SET unseen = unseen - 1 WHERE id = OLD.mailbox_id;
                RETURN NULL;
            END $$;
            CREATE TRIGGER messages_unseen_insert AFTER INSERT ON messages
                FOR EACH ROW WHEN (NEW.flags & 1 = 0) EXECUTE FUNCTION mailhost_unseen_up();
            CREATE TRIGGER messages_unseen_delete AFTER DELETE ON messages
                FOR EACH ROW WHEN (OLD.flags & 1 = 0) EXECUTE FUNCTION mailhost_unseen_down();
            CREATE TRIGGER messages_unseen_cleared AFTER UPDATE OF flags ON messages
                FOR EACH ROW WHEN (OLD.flags & 1 = 0 AND NEW.flags & 1 <> 0) EXECUTE FUNCTION mailhost_unseen_down();
            CREATE TRIGGER messages_unseen_set AFTER UPDATE OF flags ON messages
                FOR EACH ROW WHEN (OLD.flags & 1 <> 0 AND NEW.flags & 1 = 0) EXECUTE FUNCTION mailhost_unseen_up();
            """),
    ];
}
