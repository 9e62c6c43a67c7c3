using Npgsql;

namespace MailHost.Server.StoreCopy;

/// <summary>
/// Streams a table's rows from SQLite into PostgreSQL with binary <c>COPY</c>: one row in memory at a time, ids kept
/// (COPY writes identity columns as given), all inside the caller's transaction.
/// </summary>
internal static class TableCopier
{
    /// <summary>Copies <paramref name="table"/>; returns the number of rows.</summary>
    public static async Task<long> CopyAsync(SqliteSource source, NpgsqlConnection target, CopyTable table, CancellationToken cancellationToken)
    {
        if (source.Connection(table.Store) is not { } connection)
        {
            return 0;
        }

        await using var select = connection.CreateCommand();
        select.CommandText = table.SourceSql;
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var columns = string.Join(", ", table.Columns.Select(c => c.Name));
        await using var writer = await target.BeginBinaryImportAsync($"COPY {table.Target} ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        long rows = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            await writer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < table.Columns.Count; i++)
            {
                var column = table.Columns[i];
                if (column.Read(reader, i) is { } value)
                {
                    await writer.WriteAsync(value, column.TargetType, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await writer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            rows++;
        }

        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return rows;
    }
}
