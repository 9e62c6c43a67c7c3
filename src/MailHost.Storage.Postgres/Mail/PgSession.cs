using Npgsql;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// One transaction on one connection (or single statements in autocommit, when there is no transaction), with the few
/// query shapes the mail store needs. Parameters are positional
/// (<c>$1</c>, <c>$2</c>, ...); client text only ever travels as a parameter. Work queued with
/// <see cref="AfterCommit"/> runs once the transaction has committed.
/// </summary>
internal sealed class PgSession
{
    private readonly List<Action> _afterCommit = [];

    public PgSession(NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        Connection = connection;
        Transaction = transaction;
    }

    public NpgsqlConnection Connection { get; }

    public NpgsqlTransaction? Transaction { get; }

    public IReadOnlyList<Action> Committed => _afterCommit;

    /// <summary>Content addresses whose bytes this transaction stored: no other transaction can remove them before it ends.</summary>
    public HashSet<string> StoredContent { get; } = new(StringComparer.Ordinal);

    public void AfterCommit(Action action) => _afterCommit.Add(action);

    public NpgsqlCommand Command(string sql, params object?[] parameters)
    {
        var command = new NpgsqlCommand(sql, Connection, Transaction);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter ?? DBNull.Value });
        }

        return command;
    }

    /// <summary>
    /// Runs statements whose results are not needed in one round trip, in order; the first failure stops the rest
    /// (and, inside a transaction, fails it). Each entry is a statement and its positional parameters.
    /// </summary>
    public async Task ExecBatchAsync(CancellationToken cancellationToken, params (string Sql, object?[] Parameters)[] statements)
    {
        await using var batch = Batch(statements);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs queries in one round trip and hands every row of the i-th query's result to the i-th reader. Inside a
    /// REPEATABLE READ transaction they all read the same snapshot.
    /// </summary>
    public async Task QueryBatchAsync(CancellationToken cancellationToken, params (string Sql, object?[] Parameters, Action<NpgsqlDataReader> Row)[] queries)
    {
        await using var batch = Batch([.. queries.Select(q => (q.Sql, q.Parameters))]);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < queries.Length; i++)
        {
            if (i > 0 && !await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"The batch returned {i} results for {queries.Length} queries.");
            }

            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                queries[i].Row(reader);
            }
        }
    }

    /// <summary>
    /// Runs statements in one round trip, in order; the rows of a result whose first column is named as a key of
    /// <paramref name="readers"/> go to that reader, the other results are skipped. Naming tells the wanted results
    /// apart from the others whatever they are (<c>SELECT pg_notify(...)</c> returns a row too, an <c>UPDATE</c> none).
    /// </summary>
    public async Task BatchAsync(IReadOnlyList<(string Sql, object?[] Parameters)> statements, IReadOnlyDictionary<string, Action<NpgsqlDataReader>> readers, CancellationToken cancellationToken)
    {
        await using var batch = Batch([.. statements]);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        do
        {
            if (reader.FieldCount > 0 && readers.TryGetValue(reader.GetName(0), out var row))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    row(reader);
                }
            }
        }
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
    }

    private NpgsqlBatch Batch((string Sql, object?[] Parameters)[] statements)
    {
        var batch = new NpgsqlBatch(Connection, Transaction);
        foreach (var (sql, parameters) in statements)
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var parameter in parameters)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = parameter ?? DBNull.Value });
            }

            batch.BatchCommands.Add(command);
        }

        return batch;
    }

    public async Task<int> ExecAsync(string sql, CancellationToken cancellationToken, params object?[] parameters)
    {
        await using var command = Command(sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<long?> LongAsync(string sql, CancellationToken cancellationToken, params object?[] parameters)
    {
        await using var command = Command(sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<List<T>> ListAsync<T>(string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken, params object?[] parameters)
    {
        await using var command = Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(map(reader));
        }

        return list;
    }

    public async Task<T?> FirstAsync<T>(string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken, params object?[] parameters)
        where T : class
    {
        var list = await ListAsync(sql, map, cancellationToken, parameters).ConfigureAwait(false);
        return list.Count > 0 ? list[0] : null;
    }
}
