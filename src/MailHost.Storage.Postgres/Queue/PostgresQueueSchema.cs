namespace MailHost.Storage.Postgres.Queue;

/// <summary>
/// The tables of the outbound queue (component <c>queue</c>). Times are <c>timestamptz</c> in microseconds; enums are
/// their numeric values, as in the SQLite queue. Content is kept in rows of at most
/// <see cref="PostgresQueueContentWriter.ChunkSize"/> octets keyed by their offset, so that neither writing nor
/// reading a large message ever needs it in one buffer, and a later chunk size still reads old messages.
/// </summary>
internal static class PostgresQueueSchema
{
    /// <summary>The component name under which <see cref="PostgresSchema"/> keeps the version.</summary>
    public const string Component = "queue";

    public static readonly IReadOnlyList<PostgresMigration> Migrations =
    [
        new(
            1,
            """
            CREATE TABLE queue_messages (
                id text PRIMARY KEY,
                reverse_path text NULL,
                account text NOT NULL,
                body integer NOT NULL,
                smtputf8 boolean NOT NULL,
                ret integer NOT NULL,
                envid text NULL,
                origin integer NOT NULL,
                size bigint NOT NULL,
                created timestamptz NOT NULL,
                expires timestamptz NOT NULL,
                next_attempt timestamptz NOT NULL,
                lease_owner text NULL,
                lease_token text NULL,
                lease_until timestamptz NULL
            );
            CREATE INDEX queue_messages_due ON queue_messages (next_attempt, created, id);
            CREATE TABLE queue_recipients (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                message_id text NOT NULL REFERENCES queue_messages (id) ON DELETE CASCADE,
                address text NOT NULL,
                domain text NOT NULL,
                notify integer NOT NULL,
                orcpt_type text NULL,
                orcpt text NULL,
                state integer NOT NULL,
                reported boolean NOT NULL,
                attempts integer NOT NULL,
                next_attempt timestamptz NOT NULL,
                last_attempt timestamptz NULL,
                last_reply text NULL,
                remote_mta text NULL
            );
            CREATE INDEX queue_recipients_message ON queue_recipients (message_id, id);
            CREATE TABLE queue_content (
                message_id text NOT NULL REFERENCES queue_messages (id) ON DELETE CASCADE,
                position bigint NOT NULL,
                data bytea NOT NULL,
                PRIMARY KEY (message_id, position)
            );
            """),
    ];
}
