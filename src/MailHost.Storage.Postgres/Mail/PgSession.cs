using Npgsql;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// One transaction on one connection, with the few query shapes the mail store needs. Parameters are positional
/// (<c>$1</c>, <c>$2</c>, ...); client text only ever travels as a parameter. Work queued with
/// <see cref="AfterCommit"/> runs once the transaction has committed.
/// </summary>
internal sealed class PgSession
{
    private readonly List<Action> _afterCommit = [];

    public PgSession(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        Connection = connection;
        Transaction = transaction;
    }

    public NpgsqlConnection Connection { get; }

    public NpgsqlTransaction Transaction { get; }

    public IReadOnlyList<Action> Committed => _afterCommit;

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
