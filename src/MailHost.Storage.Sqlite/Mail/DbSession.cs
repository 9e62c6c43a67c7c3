using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MailHost.Storage.Sqlite.Mail;

/// <summary>Small helpers over one connection: positional parameters <c>@p0..</c> and, on the writer, cached prepared commands.</summary>
internal sealed class DbSession : IDisposable
{
    private static readonly string[] ParameterNames = [.. Enumerable.Range(0, 16).Select(i => "@p" + i.ToString(CultureInfo.InvariantCulture))];

    private readonly Dictionary<string, SqliteCommand>? _cache;

    public DbSession(SqliteConnection connection, bool cacheCommands)
    {
        Connection = connection;
        _cache = cacheCommands ? new Dictionary<string, SqliteCommand>(StringComparer.Ordinal) : null;
    }

    public SqliteConnection Connection { get; }

    public SqliteTransaction? Transaction { get; set; }

    public int Exec(string sql, params object?[] args)
    {
        var command = Command(sql, args);
        try
        {
            return command.ExecuteNonQuery();
        }
        finally
        {
            Release(command);
        }
    }

    public object? Scalar(string sql, params object?[] args)
    {
        var command = Command(sql, args);
        try
        {
            var value = command.ExecuteScalar();
            return value is DBNull ? null : value;
        }
        finally
        {
            Release(command);
        }
    }

    public long? Long(string sql, params object?[] args) => Scalar(sql, args) is { } value ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : null;

    /// <summary>Runs a query and hands each row to <paramref name="row"/>.</summary>
    public void Query(string sql, Action<SqliteDataReader> row, params object?[] args)
    {
        var command = Command(sql, args);
        try
        {
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                row(reader);
            }
        }
        finally
        {
            Release(command);
        }
    }

    public List<T> List<T>(string sql, Func<SqliteDataReader, T> map, params object?[] args)
    {
        var list = new List<T>();
        Query(sql, r => list.Add(map(r)), args);
        return list;
    }

    public void Dispose()
    {
        if (_cache is not null)
        {
            foreach (var command in _cache.Values)
            {
                command.Dispose();
            }

            _cache.Clear();
        }
    }

    private SqliteCommand Command(string sql, object?[] args)
    {
        if (_cache is null || !_cache.TryGetValue(sql, out var command))
        {
            // A cached command keeps its text, so its prepared statement is reused.
            command = Connection.CreateCommand();
            command.CommandText = sql;
            _cache?[sql] = command;
        }

        command.Transaction = Transaction;
        command.Parameters.Clear();
        for (var i = 0; i < args.Length; i++)
        {
            var name = i < ParameterNames.Length ? ParameterNames[i] : "@p" + i.ToString(CultureInfo.InvariantCulture);
            command.Parameters.AddWithValue(name, args[i] ?? DBNull.Value);
        }

        return command;
    }

    private void Release(SqliteCommand command)
    {
        if (_cache is null)
        {
            command.Dispose();
        }
    }
}
