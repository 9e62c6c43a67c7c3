using System.Data.Common;
using System.Globalization;
using System.Net;
using MailHost.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailHost.Accounts.Sql;

/// <summary>
/// The account directory on a relational database: domains, accounts, addresses, aliases, login history, the
/// shared server secret, app passwords and what the administration console needs (administrators, TOTP, API keys, the
/// audit log), in
/// portable SQL over ADO.NET. A database supplies only how it connects, how it begins a
/// read and a write transaction, and its schema (the SQLite directory and the PostgreSQL one derive from it).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Every call opens its own (pooled) connection, so the directory is safe for concurrent use. Writes run in
/// transactions that the database serialises against every other writer of the directory, in this process or on
/// another host; reads run in one snapshot. Nothing is cached apart from the fact that the schema is up to date and
/// the server secret (which never changes), so several hosts may share the database.</item>
/// <item>The schema is created or upgraded on first use (or by <see cref="InitializeAsync"/>); a database written
/// by a newer MailHost is refused with <see cref="InvalidOperationException"/>.</item>
/// <item>Login history keeps the last <see cref="LoginHistoryPerAccount"/> attempts per account and the last
/// <see cref="UnresolvedLoginHistory"/> attempts that matched no account; of each, attempts refused without a password
/// check take at most <see cref="LoginRecord.MaxUncheckedPerAccount"/> places.</item>
/// </list>
/// </remarks>
public abstract partial class SqlAccountDirectory : IAccountDirectory, IAccountAdministration
{
    /// <summary>How many login attempts are kept per account.</summary>
    public const int LoginHistoryPerAccount = 100;

    /// <summary>How many login attempts that matched no account are kept in all.</summary>
    public const int UnresolvedLoginHistory = 1000;

    // Stored login text is client-supplied: clip it so the bounded history is also bounded in bytes.
    private const int MaxStoredTextLength = 320;

    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly IMailStore? _mailStore;
    private readonly Lock _initializationGate = new();
    private Task? _initialization;

    /// <summary>Creates a directory; its database is migrated on first use.</summary>
    /// <param name="logger">Receives migration and change messages; <see langword="null"/> for none.</param>
    /// <param name="timeProvider">The clock for creation times; <see langword="null"/> for the system clock.</param>
    /// <param name="mailStore">
    /// The store holding the accounts' mail, which removing an account empties and adding one clears of leftovers;
    /// <see langword="null"/> for a directory on its own (a removal then stays pending until a directory with a store
    /// finishes it, see <see cref="CompletePendingRemovalsAsync"/>).
    /// </param>
    protected SqlAccountDirectory(ILogger? logger, TimeProvider? timeProvider, IMailStore? mailStore)
    {
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _mailStore = mailStore;
    }

    /// <summary>Names the database in log messages (a file path, or a server and database name without secrets).</summary>
    protected abstract string DatabaseDescription { get; }

    /// <summary>
    /// Creates or upgrades the schema now rather than on first use. Safe to call more than once and concurrently;
    /// a failed attempt is retried by the next call.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database was written by a newer MailHost.</exception>
    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        var task = _initialization;
        if (task is null || task.IsFaulted || task.IsCanceled)
        {
            lock (_initializationGate)
            {
                task = _initialization;
                if (task is null || task.IsFaulted || task.IsCanceled)
                {
                    // Not the caller's token: one caller giving up must not fail the migration for the others.
                    _initialization = task = MigrateAsync();
                }
            }
        }

        return task.IsCompletedSuccessfully ? Task.CompletedTask : task.WaitAsync(cancellationToken);
    }

    /// <summary>Brings the schema up to date; returns the version before and how many migrations it applied.</summary>
    /// <exception cref="InvalidOperationException">The database holds a newer schema than this code knows.</exception>
    protected abstract Task<(int FromVersion, int Applied)> MigrateCoreAsync(CancellationToken cancellationToken);

    /// <summary>Opens a new (pooled) connection to the directory's database.</summary>
    protected abstract Task<DbConnection> OpenConnectionCoreAsync(CancellationToken cancellationToken);

    /// <summary>Begins a transaction that reads one consistent snapshot.</summary>
    protected abstract Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// Begins a write transaction that no other writer of the directory, in any process, runs beside: the checks a
    /// write makes (is the name free, is the address taken) hold until it commits.
    /// </summary>
    protected abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// Begins the write that records a login. Every login writes one, so where the database can do without it need
    /// not wait for the directory's other writers: it only inserts the attempt and trims one history, which
    /// <see cref="LockHistoryAsync"/> guards. The default is <see cref="BeginWriteAsync"/>.
    /// </summary>
    protected virtual Task<DbTransaction> BeginHistoryWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        BeginWriteAsync(connection, cancellationToken);

    /// <summary>
    /// Inside the transaction of <see cref="BeginHistoryWriteAsync"/>: makes the writes to one history
    /// (<paramref name="history"/>: one account's, or the unresolved logins') run one after the other, so its bound
    /// holds exactly. The default does nothing, for a transaction that already excludes every other writer.
    /// </summary>
    protected virtual Task LockHistoryAsync(DbConnection connection, DbTransaction transaction, string history, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <inheritdoc />
    public async ValueTask<AccountInfo?> FindByNameAsync(string accountName, CancellationToken cancellationToken)
    {
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        if (name is null)
        {
            return null;
        }

        return await ReadAccountInfoAsync("SELECT id FROM accounts WHERE name = @key", name, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<AccountInfo?> FindByAddressAsync(string address, CancellationToken cancellationToken)
    {
        var canonical = MailAddressCanonicalizer.CanonicalizeAddress(address);
        if (canonical is null)
        {
            return null;
        }

        return await ReadAccountInfoAsync(
            "SELECT account_id AS id FROM addresses WHERE address = @key UNION ALL SELECT account_id FROM aliases WHERE address = @key LIMIT 1",
            canonical,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<PasswordRecord?> GetPasswordRecordAsync(string accountName, CancellationToken cancellationToken)
    {
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        if (name is null)
        {
            return null;
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var account = await FindAccountAsync(connection, null, name, cancellationToken).ConfigureAwait(false);
            return account is null ? null : ParsePassword(account);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> IsLocalDomainAsync(string domain, CancellationToken cancellationToken)
    {
        var canonical = MailAddressCanonicalizer.CanonicalizeDomain(domain);
        if (canonical is null)
        {
            return false;
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await FindDomainIdAsync(connection, null, canonical, cancellationToken).ConfigureAwait(false) is not null;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// A record whose account name is <see langword="null"/>, or names no existing account (it may have been
    /// removed meanwhile), goes to the global history of unresolved logins.
    /// </remarks>
    public async ValueTask RecordLoginAsync(LoginRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(record.AccountName);
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = await BeginHistoryWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            var account = name is null ? null : await FindAccountAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false);
            await LockHistoryAsync(connection, transaction, account is null ? "unresolved" : "account:" + account.Id.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            if (account is not null)
            {
                await ExecuteAsync(
                    connection,
                    transaction,
                    """
                    INSERT INTO login_history (account_id, time, login, protocol, mechanism, remote_endpoint, tls, client_name, outcome, app_password_id, app_password_name, token_issuer)
                    VALUES (@account, @time, @login, @protocol, @mechanism, @remote, @tls, @client, @outcome, @appPasswordId, @appPasswordName, @tokenIssuer);
                    DELETE FROM login_history WHERE account_id = @account AND outcome IN (@empty, @throttled) AND id <=
                        (SELECT id FROM login_history WHERE account_id = @account AND outcome IN (@empty, @throttled)
                         ORDER BY id DESC LIMIT 1 OFFSET @keepUnchecked);
                    DELETE FROM login_history WHERE account_id = @account AND id <=
                        (SELECT id FROM login_history WHERE account_id = @account ORDER BY id DESC LIMIT 1 OFFSET @keep);
                    """,
                    cancellationToken,
                    [
                        ("@account", account.Id), .. LoginParameters(record), .. UncheckedParameters, ("@keep", LoginHistoryPerAccount),
                        ("@appPasswordId", record.AppPasswordId), ("@appPasswordName", Clip(record.AppPasswordName)),
                        ("@tokenIssuer", Clip(record.TokenIssuer)),
                    ]).ConfigureAwait(false);
            }
            else
            {
                await ExecuteAsync(
                    connection,
                    transaction,
                    """
                    INSERT INTO unresolved_logins (account_name, time, login, protocol, mechanism, remote_endpoint, tls, client_name, outcome)
                    VALUES (@account, @time, @login, @protocol, @mechanism, @remote, @tls, @client, @outcome);
                    DELETE FROM unresolved_logins WHERE outcome IN (@empty, @throttled) AND id <=
                        (SELECT id FROM unresolved_logins WHERE outcome IN (@empty, @throttled) ORDER BY id DESC LIMIT 1 OFFSET @keepUnchecked);
                    DELETE FROM unresolved_logins WHERE id <=
                        (SELECT id FROM unresolved_logins ORDER BY id DESC LIMIT 1 OFFSET @keep);
                    """,
                    cancellationToken,
                    [("@account", Clip(record.AccountName)), .. LoginParameters(record), .. UncheckedParameters, ("@keep", UnresolvedLoginHistory)]).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task MigrateAsync()
    {
        var (from, applied) = await MigrateCoreAsync(CancellationToken.None).ConfigureAwait(false);
        if (applied > 0)
        {
            AccountDirectoryLog.MigrationsApplied(_logger, DatabaseDescription, applied, from, from + applied);
        }
        else
        {
            AccountDirectoryLog.SchemaCurrent(_logger, DatabaseDescription, from);
        }
    }

    private async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        return await OpenConnectionCoreAsync(cancellationToken).ConfigureAwait(false);
    }

    private PasswordRecord? ParsePassword(AccountRow account)
    {
        if (account.Password is null)
        {
            return null;
        }

        if (PasswordRecord.TryParse(account.Password, out var record))
        {
            return record;
        }

        AccountDirectoryLog.MalformedPasswordRecord(_logger, account.Name);
        return null;
    }

    private long NowMilliseconds() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private static (string, object?)[] LoginParameters(LoginRecord record) =>
    [
        ("@time", record.Timestamp.ToUnixTimeMilliseconds()),
        ("@login", Clip(record.Login) ?? string.Empty),
        ("@protocol", Clip(record.Protocol) ?? string.Empty),
        ("@mechanism", Clip(record.Mechanism) ?? string.Empty),
        ("@remote", record.RemoteEndPoint?.ToString()),
        ("@tls", record.Tls),
        ("@client", Clip(record.ClientName)),
        ("@outcome", record.Outcome.ToString()),
    ];

    /// <summary>
    /// Attempts refused without a password check keep at most <see cref="LoginRecord.MaxUncheckedPerAccount"/> places,
    /// so a loop of them cannot push the real logins out of the bounded history.
    /// </summary>
    private static readonly (string, object?)[] UncheckedParameters =
    [
        ("@empty", nameof(LoginOutcome.EmptyPassword)),
        ("@throttled", nameof(LoginOutcome.Throttled)),
        ("@keepUnchecked", LoginRecord.MaxUncheckedPerAccount),
    ];

    private static string? Clip(string? text) => text is null || text.Length <= MaxStoredTextLength ? text : text[..MaxStoredTextLength];

    private static async Task<AccountRow?> FindAccountAsync(DbConnection connection, DbTransaction? transaction, string name, CancellationToken cancellationToken)
    {
        using var command = CreateCommand(
            connection,
            transaction,
            "SELECT id, name, password, disabled, created, administrator, totp_secret IS NOT NULL, require_app_passwords FROM accounts WHERE name = @name;",
            [("@name", name)]);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            return new AccountRow(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetBoolean(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                reader.GetBoolean(5),
                reader.GetBoolean(6),
                reader.GetBoolean(7));
        }
    }

    private static async Task<long?> FindDomainIdAsync(DbConnection connection, DbTransaction? transaction, string domain, CancellationToken cancellationToken)
    {
        using var command = CreateCommand(connection, transaction, "SELECT id FROM domains WHERE name = @name;", [("@name", domain)]);
        var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return result is null ? null : Convert.ToInt64(result, CultureInfo.InvariantCulture);
    }

    /// <summary>Who owns <paramref name="address"/>, and whether as an alias.</summary>
    private static async Task<(string AccountName, bool IsAlias)?> FindAddressOwnerAsync(
        DbConnection connection, DbTransaction? transaction, string address, CancellationToken cancellationToken)
    {
        using var command = CreateCommand(
            connection,
            transaction,
            """
            SELECT accounts.name, FALSE FROM addresses JOIN accounts ON accounts.id = addresses.account_id WHERE addresses.address = @address
            UNION ALL
            SELECT accounts.name, TRUE FROM aliases JOIN accounts ON accounts.id = aliases.account_id WHERE aliases.address = @address
            LIMIT 1;
            """,
            [("@address", address)]);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetString(0), reader.GetBoolean(1)) : null;
        }
    }

    /// <summary>
    /// The account that <paramref name="target"/> (a query of one <c>id</c> column with the parameter <c>@key</c>)
    /// finds, with its addresses and aliases, in one statement: one round trip and one snapshot, no transaction. The
    /// SMTP recipient check runs this for every RCPT TO.
    /// </summary>
    private async Task<AccountInfo?> ReadAccountInfoAsync(string target, string key, CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // Kind 0 is the account row, 1 its addresses, 2 its aliases, each in the order they were added.
            var rows = await ReadListAsync(
                connection,
                null,
                $"""
                WITH target AS ({target})
                SELECT 0 AS kind, a.id, a.name, a.disabled, a.require_app_passwords FROM accounts a WHERE a.id IN (SELECT id FROM target)
                UNION ALL SELECT 1, x.id, x.address, NULL, NULL FROM addresses x WHERE x.account_id IN (SELECT id FROM target)
                UNION ALL SELECT 2, x.id, x.address, NULL, NULL FROM aliases x WHERE x.account_id IN (SELECT id FROM target)
                ORDER BY 1, 2;
                """,
                r => (Kind: r.GetInt32(0), Text: r.GetString(2), Disabled: !r.IsDBNull(3) && r.GetBoolean(3), RequiresAppPasswords: !r.IsDBNull(4) && r.GetBoolean(4)),
                cancellationToken,
                ("@key", key)).ConfigureAwait(false);
            if (rows.Count == 0 || rows[0].Kind != 0)
            {
                return null;
            }

            return new AccountInfo(
                rows[0].Text,
                [.. rows.Where(r => r.Kind == 1).Select(r => r.Text)],
                [.. rows.Where(r => r.Kind == 2).Select(r => r.Text)],
                rows[0].Disabled)
            {
                RequiresAppPasswords = rows[0].RequiresAppPasswords,
            };
        }
    }

    private static async Task<AccountInfo> LoadAccountInfoAsync(DbConnection connection, DbTransaction? transaction, AccountRow account, CancellationToken cancellationToken)
    {
        var addresses = await ReadStringsAsync(connection, transaction, "SELECT address FROM addresses WHERE account_id = @account ORDER BY id;", account.Id, cancellationToken).ConfigureAwait(false);
        var aliases = await ReadStringsAsync(connection, transaction, "SELECT address FROM aliases WHERE account_id = @account ORDER BY id;", account.Id, cancellationToken).ConfigureAwait(false);
        return new AccountInfo(account.Name, addresses, aliases, account.Disabled) { RequiresAppPasswords = account.RequiresAppPasswords };
    }

    private static Task<List<string>> ReadStringsAsync(DbConnection connection, DbTransaction? transaction, string sql, long accountId, CancellationToken cancellationToken) =>
        ReadListAsync(connection, transaction, sql, r => r.GetString(0), cancellationToken, ("@account", accountId));

    /// <summary>Runs a query and maps each of its rows.</summary>
    private static async Task<List<T>> ReadListAsync<T>(
        DbConnection connection, DbTransaction? transaction, string sql, Func<DbDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        using var command = CreateCommand(connection, transaction, sql, parameters);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var list = new List<T>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(map(reader));
            }

            return list;
        }
    }

    private static async Task<int> ExecuteAsync(
        DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        using var command = CreateCommand(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static DbCommand CreateCommand(DbConnection connection, DbTransaction? transaction, string sql, ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static LoginRecord ReadLogin(DbDataReader reader, string? accountName)
    {
        // Columns: time, login, protocol, mechanism, remote_endpoint, tls, client_name, outcome.
        return new LoginRecord(
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)),
            accountName,
            reader.GetString(1),
            reader.GetString(2),
            reader.GetString(3),
            reader.IsDBNull(4) || !IPEndPoint.TryParse(reader.GetString(4), out var endPoint) ? null : endPoint,
            reader.GetBoolean(5),
            reader.IsDBNull(6) ? null : reader.GetString(6),
            Enum.TryParse<LoginOutcome>(reader.GetString(7), out var outcome) ? outcome : LoginOutcome.Failed);
    }

    private sealed record AccountRow(long Id, string Name, string? Password, bool Disabled, DateTimeOffset Created, bool Administrator, bool HasTotp, bool RequiresAppPasswords);
}
