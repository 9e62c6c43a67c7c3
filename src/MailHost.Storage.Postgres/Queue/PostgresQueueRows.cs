using MailHost.Delivery;
using MailHost.Delivery.Queue;
using MailHost.Protocols.Smtp;
using Npgsql;

namespace MailHost.Storage.Postgres.Queue;

/// <summary>Reads queued messages and their recipients from rows, in the column order of the constants here.</summary>
internal static class PostgresQueueRows
{
    /// <summary>The message columns <see cref="ReadMessage"/> expects, for a query over <c>queue_messages</c> as <c>m</c>.</summary>
    public const string MessageColumns =
        "m.id, m.reverse_path, m.account, m.size, m.created, m.expires, m.next_attempt, m.lease_owner, m.lease_until, m.body, m.smtputf8, m.ret, m.envid, m.origin";

    /// <summary>The recipient columns <see cref="ReadRecipient"/> expects (the message id last, for grouping).</summary>
    public const string RecipientColumns =
        "id, address, domain, notify, orcpt_type, orcpt, state, reported, attempts, next_attempt, last_attempt, last_reply, remote_mta, message_id";

    /// <summary>One message without its recipients (see <see cref="ReadRecipientsAsync"/>).</summary>
    public static QueuedMessage ReadMessage(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.IsDBNull(1) ? null : reader.GetString(1),
        reader.GetString(2),
        reader.GetInt64(3),
        reader.GetFieldValue<DateTimeOffset>(4),
        reader.GetFieldValue<DateTimeOffset>(5),
        reader.GetFieldValue<DateTimeOffset>(6),
        reader.IsDBNull(7) ? null : reader.GetString(7),
        reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
        [])
    {
        Body = (SmtpBodyType)reader.GetInt32(9),
        SmtpUtf8 = reader.GetBoolean(10),
        Return = (SmtpDsnReturn)reader.GetInt32(11),
        EnvelopeId = reader.IsDBNull(12) ? null : reader.GetString(12),
        Origin = (OutboundOrigin)reader.GetInt32(13),
    };

    public static QueuedRecipient ReadRecipient(NpgsqlDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetString(2),
        (SmtpDsnNotify)reader.GetInt32(3),
        reader.IsDBNull(4) || reader.IsDBNull(5) ? null : new SmtpOriginalRecipient(reader.GetString(4), reader.GetString(5)),
        (QueueRecipientState)reader.GetInt32(6),
        reader.GetBoolean(7),
        reader.GetInt32(8),
        reader.GetFieldValue<DateTimeOffset>(9),
        reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10),
        reader.IsDBNull(11) ? null : reader.GetString(11),
        reader.IsDBNull(12) ? null : reader.GetString(12));

    /// <summary>The message with its recipients in RCPT order, or <see langword="null"/>.</summary>
    public static async Task<QueuedMessage?> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string messageId, CancellationToken cancellationToken)
    {
        QueuedMessage message;
        await using (var command = new NpgsqlCommand($"SELECT {MessageColumns} FROM queue_messages AS m WHERE m.id = @id", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<string>("id", messageId));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            message = ReadMessage(reader);
        }

        return message with { Recipients = await ReadRecipientsAsync(connection, transaction, messageId, cancellationToken).ConfigureAwait(false) };
    }

    /// <summary>The recipients of one message in RCPT order (the order of their ids).</summary>
    public static async Task<List<QueuedRecipient>> ReadRecipientsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string messageId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {RecipientColumns} FROM queue_recipients WHERE message_id = @id ORDER BY id", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string>("id", messageId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var recipients = new List<QueuedRecipient>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            recipients.Add(ReadRecipient(reader));
        }

        return recipients;
    }
}
