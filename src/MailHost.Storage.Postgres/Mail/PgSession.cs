using Npgsql;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// One transaction on one connection (or single statements in autocommit, when there is no transaction), with the few
/// query shapes the mail store needs. Parameters are positional
/// (<c>$1</c>, <c>$2</c>, ...); client text only ever travels as a parameter. Work queued with
/// <see cref="AfterCommit"/> runs once the transaction has committed.
/// </summary>
/// <remarks>
/// A round trip to PostgreSQL costs both sides more than most statements do (measured: ten primary-key reads in one
/// pipeline run five times as fast as the same reads one by one), so a transaction's last writes, whose results it
/// does not wait for, can be <see cref="Defer"/>red: they travel with the <c>COMMIT</c>
/// (<see cref="CommitAsync"/>), or ahead of the transaction's next statement when there is one, never after it.
/// </remarks>
internal sealed class PgSession
{
    private readonly List<Action> _afterCommit = [];
    private readonly List<(string Sql, object?[] Parameters)> _deferred = [];
    private readonly List<(string Column, Action<NpgsqlDataReader> Row)> _deferredReaders = [];

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

    /// <summary>Whether writes wait to be sent (<see cref="Defer"/>).</summary>
    public bool HasDeferred => _deferred.Count > 0;

    /// <summary>
    /// Queues writes of this transaction that nothing reads before the commit: they are sent with the
    /// <c>COMMIT</c>, or ahead of the next statement of the transaction, in order. The rows of a result whose first
    /// column is named in <paramref name="readers"/> go to that reader (as in <see cref="BatchAsync"/>); readers of the
    /// same name take their results in the order they were deferred. A failure of a deferred write fails the statement
    /// or the commit it travels with, and so the transaction.
    /// </summary>
    public void Defer(IEnumerable<(string Sql, object?[] Parameters)> statements, IReadOnlyDictionary<string, Action<NpgsqlDataReader>>? readers = null)
    {
        if (Transaction is null)
        {
            throw new InvalidOperationException("Only the writes of a transaction can wait for its commit.");
        }

        _deferred.AddRange(statements);
        if (readers is not null)
        {
            _deferredReaders.AddRange(readers.Select(r => (r.Key, r.Value)));
        }
    }

    /// <summary>Sends the deferred writes now, in one round trip; nothing when there are none.</summary>
    public Task FlushAsync(CancellationToken cancellationToken) => HasDeferred ? SendDeferredAsync(null, cancellationToken) : Task.CompletedTask;

    /// <summary>
    /// Commits the transaction: with the deferred writes in one round trip when there are any (the transaction then
    /// ends with the batch's <c>COMMIT</c>), else with <see cref="NpgsqlTransaction.CommitAsync"/>. Throws when the
    /// commit or a deferred write fails; nothing of the transaction is then stored.
    /// </summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        var transaction = Transaction ?? throw new InvalidOperationException("There is no transaction to commit.");
        if (HasDeferred)
        {
            await SendDeferredAsync("COMMIT", cancellationToken).ConfigureAwait(false);
            return;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task SendDeferredAsync(string? last, CancellationToken cancellationToken)
    {
        var statements = new List<(string Sql, object?[] Parameters)>(_deferred);
        if (last is not null)
        {
            statements.Add((last, []));
        }

        var readers = new List<(string Column, Action<NpgsqlDataReader> Row)>(_deferredReaders);
        _deferred.Clear();
        _deferredReaders.Clear();
        await using var batch = Batch([.. statements]);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        do
        {
            var index = reader.FieldCount > 0 ? readers.FindIndex(r => r.Column == reader.GetName(0)) : -1;
            if (index >= 0)
            {
                var row = readers[index].Row;
                readers.RemoveAt(index);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    row(reader);
                }
            }
        }
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>A command on this session's connection and transaction; the caller runs it, after <see cref="FlushAsync"/> when writes may be deferred.</summary>
    public NpgsqlCommand Command(string sql, params object?[] parameters)
    {
        if (HasDeferred)
        {
            throw new InvalidOperationException("Deferred writes would run after this command: flush them first.");
        }

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
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var batch = Batch(statements);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs queries in one round trip and hands every row of the i-th query's result to the i-th reader. Inside a
    /// REPEATABLE READ transaction they all read the same snapshot.
    /// </summary>
    public async Task QueryBatchAsync(CancellationToken cancellationToken, params (string Sql, object?[] Parameters, Action<NpgsqlDataReader> Row)[] queries)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
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
        await FlushAsync(cancellationToken).ConfigureAwait(false);
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
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<long?> LongAsync(string sql, CancellationToken cancellationToken, params object?[] parameters)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<List<T>> ListAsync<T>(string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken, params object?[] parameters)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
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
