using Microsoft.Data.Sqlite;
using NpgsqlTypes;

namespace MailHost.Server.StoreCopy;

/// <summary>How a SQLite value becomes the PostgreSQL value of the same column.</summary>
internal enum ColumnKind
{
    /// <summary>INTEGER to bigint.</summary>
    Long,

    /// <summary>INTEGER to integer.</summary>
    Int,

    /// <summary>TEXT to text.</summary>
    Text,

    /// <summary>INTEGER 0/1 to boolean.</summary>
    Bool,

    /// <summary>BLOB to bytea.</summary>
    Bytes,

    /// <summary>Unix milliseconds to timestamptz (the queue's times).</summary>
    Time,

    /// <summary>Space-separated keywords to text[].</summary>
    Keywords,
}

/// <summary>One column: read at its position in the source query, written under <paramref name="Name"/>; NULL stays NULL.</summary>
internal sealed record CopyColumn(string Name, ColumnKind Kind)
{
    public NpgsqlDbType TargetType => Kind switch
    {
        ColumnKind.Long => NpgsqlDbType.Bigint,
        ColumnKind.Int => NpgsqlDbType.Integer,
        ColumnKind.Text => NpgsqlDbType.Text,
        ColumnKind.Bool => NpgsqlDbType.Boolean,
        ColumnKind.Bytes => NpgsqlDbType.Bytea,
        ColumnKind.Time => NpgsqlDbType.TimestampTz,
        _ => NpgsqlDbType.Array | NpgsqlDbType.Text,
    };

    public object? Read(SqliteDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }

        return Kind switch
        {
            ColumnKind.Long => reader.GetInt64(ordinal),
            ColumnKind.Int => reader.GetInt32(ordinal),
            ColumnKind.Text => reader.GetString(ordinal),
            ColumnKind.Bool => reader.GetInt64(ordinal) != 0,
            ColumnKind.Bytes => (byte[])reader.GetValue(ordinal),
            ColumnKind.Time => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal)),
            _ => reader.GetString(ordinal) is { Length: > 0 } text ? text.Split(' ') : [],
        };
    }
}

/// <summary>
/// A table copied row for row: <paramref name="SourceSql"/> selects the SQLite rows with their columns in the order of
/// <paramref name="Columns"/>; the rows go into <paramref name="Target"/> with their ids, so that every reference
/// between rows (and every UID, MODSEQ and UIDVALIDITY) stays as it is. <paramref name="Summary"/> is an aggregate of
/// the table that both databases compute alike, compared after the copy.
/// </summary>
internal sealed record CopyTable(string Store, string Target, string SourceSql, IReadOnlyList<CopyColumn> Columns, string Summary = "count(*)");
