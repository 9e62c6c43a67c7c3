using System.Globalization;
using Npgsql;

namespace MailHost.Server.StoreCopy;

/// <summary>
/// Decides whether a PostgreSQL database may receive a copy, before anything is written. The copy replaces what the
/// database holds with the SQLite site, so it refuses (with no way around it) when that could lose data:
/// another session is connected (a host is probably serving from the database), or the database holds a site that
/// did not come from this data directory, or that changed after the last copy from it (a host has served from it).
/// A copy records its source and a fingerprint of the data it wrote in <c>mailhost_store_copy</c>.
/// </summary>
internal static class CopyTargetGuard
{
    public const string ApplicationName = "mailhost store copy";

    // Changes with every delivery, flag change, expunge, rename, subscription, login, password or queue change.
    private const string FingerprintSql = """
        SELECT md5(concat_ws('|',
            (SELECT count(*) || ':' || coalesce(sum(uidnext), 0) || ':' || coalesce(sum(highest_modseq), 0) || ':' || coalesce(md5(string_agg(id || '/' || name, ',' ORDER BY id)), '') FROM mailboxes),
            (SELECT count(*) || ':' || coalesce(sum(modseq), 0) FROM messages),
            (SELECT count(*) || ':' || coalesce(sum(modseq), 0) FROM expunged),
            (SELECT count(*) FROM subscriptions),
            (SELECT count(*) || ':' || coalesce(sum(storage_used), 0) || ':' || coalesce(sum(last_uidvalidity), 0) FROM accounts),
            (SELECT coalesce(md5(string_agg(id || '/' || name || '/' || coalesce(password, '') || '/' || disabled, ',' ORDER BY id)), '') FROM mailhost_directory.accounts),
            (SELECT count(*) || ':' || coalesce(max(id), 0) FROM mailhost_directory.login_history),
            (SELECT count(*) FROM mailhost_directory.addresses),
            (SELECT count(*) FROM mailhost_directory.aliases),
            (SELECT count(*) FROM mailhost_directory.domains),
            (SELECT count(*) FROM queue_messages),
            (SELECT count(*) || ':' || coalesce(sum(attempts), 0) || ':' || coalesce(max(next_attempt)::text, '') FROM queue_recipients),
            (SELECT coalesce(md5(string_agg(domain || '/' || selector, ',' ORDER BY domain)), '') FROM dkim_keys)))
        """;

    private const string HasSiteSql = """
        SELECT EXISTS (SELECT 1 FROM mailhost_directory.accounts) OR EXISTS (SELECT 1 FROM mailhost_directory.domains)
            OR EXISTS (SELECT 1 FROM accounts) OR EXISTS (SELECT 1 FROM queue_messages) OR EXISTS (SELECT 1 FROM dkim_keys)
        """;

    /// <summary>Refuses with <see cref="StoreCopyException"/> when the copy is not safe; returns whether an earlier copy is being brought up to date.</summary>
    public static async Task<bool> CheckAsync(NpgsqlConnection target, string sourceDirectory, CancellationToken cancellationToken)
    {
        var others = await ScalarAsync<long>(
            target,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND application_name <> $1",
            cancellationToken,
            ApplicationName).ConfigureAwait(false);
        if (others > 0)
        {
            throw new StoreCopyException(string.Create(
                CultureInfo.InvariantCulture,
                $"{others} other session(s) are connected to database '{target.Database}': stop every MailHost host using it (and close other clients) before copying."));
        }

        await ExecAsync(target, "CREATE TABLE IF NOT EXISTS mailhost_store_copy (id integer PRIMARY KEY CHECK (id = 1), source text NOT NULL, copied timestamptz NOT NULL, fingerprint text NOT NULL)", cancellationToken).ConfigureAwait(false);
        string? copiedFrom = null, fingerprint = null;
        DateTimeOffset copied = default;
        await using (var command = new NpgsqlCommand("SELECT source, copied, fingerprint FROM mailhost_store_copy", target))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                (copiedFrom, copied, fingerprint) = (reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2));
            }
        }

        if (!await ScalarAsync<bool>(target, HasSiteSql, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        if (copiedFrom is null)
        {
            throw new StoreCopyException($"database '{target.Database}' already holds a MailHost site that was not copied from SQLite; copy into an empty database.");
        }

        if (!string.Equals(copiedFrom, sourceDirectory, StringComparison.Ordinal))
        {
            throw new StoreCopyException($"database '{target.Database}' holds a copy of another data directory ({copiedFrom}); copy into an empty database.");
        }

        if (!string.Equals(fingerprint, await FingerprintAsync(target, cancellationToken).ConfigureAwait(false), StringComparison.Ordinal))
        {
            throw new StoreCopyException(
                $"database '{target.Database}' has changed since the copy of {Admin.AdminText.Time(copied)}: a PostgreSQL host has served from it, and copying again would undo its changes.");
        }

        return true;
    }

    /// <summary>Records the copy's source and the fingerprint of what it wrote, in the copy's transaction.</summary>
    public static async Task RecordAsync(NpgsqlConnection target, string sourceDirectory, CancellationToken cancellationToken)
    {
        var fingerprint = await FingerprintAsync(target, cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "INSERT INTO mailhost_store_copy (id, source, copied, fingerprint) VALUES (1, $1, now(), $2) ON CONFLICT (id) DO UPDATE SET source = EXCLUDED.source, copied = EXCLUDED.copied, fingerprint = EXCLUDED.fingerprint",
            target);
        command.Parameters.Add(new NpgsqlParameter { Value = sourceDirectory });
        command.Parameters.Add(new NpgsqlParameter { Value = fingerprint });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static Task<string> FingerprintAsync(NpgsqlConnection target, CancellationToken cancellationToken) =>
        ScalarAsync<string>(target, FingerprintSql, cancellationToken);

    private static async Task ExecAsync(NpgsqlConnection target, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, target);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection target, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, target);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return (T)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }
}
