using System.Data.Common;
using System.Net;

namespace MailHost.Accounts.Sql;

/// <content>
/// App passwords in <c>app_passwords</c>, one row each with the account's id (so removing the account removes them),
/// the PBKDF2 record of the secret and its lookup tag (unique per account, indexed), and the last use; the account's
/// choice to require them is a column of <c>accounts</c>.
/// </content>
public abstract partial class SqlAccountDirectory : IAppPasswordAdministration
{
    // The columns ReadAppPassword maps, in its order; "p" is app_passwords.
    private const string AppPasswordColumns =
        "p.id, p.name, p.protocols, p.networks, p.expires, p.created, p.last_used, p.last_remote, p.last_protocol, p.last_client";

    /// <inheritdoc />
    public async ValueTask<AppPasswordCreated?> CreateAppPasswordAsync(
        string accountName, NewAppPassword appPassword, int iterations, CancellationToken cancellationToken)
    {
        AppPasswordFormat.Validate(appPassword, iterations);
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        if (name is null || await FindByNameAsync(name, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        // The derivation takes as long as a login's: made before the write transaction, which holds the directory's lock.
        var serverSecret = await GetServerSecretAsync(cancellationToken).ConfigureAwait(false);
        var (secret, record, tag) = AppPasswordSecrets.NewCredential(serverSecret!.Value.Span, iterations);
        var created = NowMilliseconds();
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            var account = await FindAccountAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false);
            if (account is null)
            {
                return null;
            }

            while (true)
            {
                // 32 random bits: ids clash now and then in a large directory, and a clash is simply drawn again.
                var id = AppPasswordSecrets.NewId();
                var inserted = await ExecuteAsync(
                    connection,
                    transaction,
                    """
                    INSERT INTO app_passwords (id, account_id, name, lookup_tag, password, protocols, networks, expires, created)
                    VALUES (@id, @account, @name, @tag, @password, @protocols, @networks, @expires, @created) ON CONFLICT (id) DO NOTHING;
                    """,
                    cancellationToken,
                    ("@id", id),
                    ("@account", account.Id),
                    ("@name", appPassword.Name),
                    ("@tag", tag),
                    ("@password", record.ToString()),
                    ("@protocols", AppPasswordFormat.ProtocolsText(appPassword.Protocols)),
                    ("@networks", AppPasswordFormat.NetworksText(appPassword.Networks)),
                    ("@expires", appPassword.Expires?.ToUnixTimeMilliseconds()),
                    ("@created", created)).ConfigureAwait(false);
                if (inserted == 1)
                {
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    var info = new AppPasswordInfo(
                        id, appPassword.Name, appPassword.Protocols, [.. appPassword.Networks], appPassword.Expires, DateTimeOffset.FromUnixTimeMilliseconds(created), null);
                    AccountDirectoryLog.AppPasswordCreated(_logger, id, appPassword.Name, name);
                    return new AppPasswordCreated(info, secret);
                }
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<AppPasswordInfo>?> ListAppPasswordsAsync(string accountName, CancellationToken cancellationToken)
    {
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        if (name is null)
        {
            return null;
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = await BeginReadAsync(connection, cancellationToken).ConfigureAwait(false);
            var account = await FindAccountAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false);
            if (account is null)
            {
                return null;
            }

            var rows = await ReadListAsync(
                connection,
                transaction,
                $"SELECT {AppPasswordColumns} FROM app_passwords p WHERE p.account_id = @account ORDER BY p.created DESC, p.id;",
                r => ReadAppPassword(r, name),
                cancellationToken,
                ("@account", account.Id)).ConfigureAwait(false);
            return [.. rows.OfType<AppPasswordInfo>()];
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> RevokeAppPasswordAsync(string accountName, string id, CancellationToken cancellationToken)
    {
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        var canonical = AppPasswordSecrets.CanonicalizeId(id);
        if (name is null || canonical is null)
        {
            return false;
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            var revoked = await ExecuteAsync(
                connection,
                transaction,
                "DELETE FROM app_passwords WHERE id = @id AND account_id = (SELECT id FROM accounts WHERE name = @name);",
                cancellationToken,
                ("@id", canonical),
                ("@name", name)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            if (revoked == 1)
            {
                AccountDirectoryLog.AppPasswordRevoked(_logger, canonical, name);
            }

            return revoked == 1;
        }
    }

    /// <inheritdoc />
    public ValueTask<AccountAdministrationResult> SetAppPasswordsRequiredAsync(string accountName, bool required, CancellationToken cancellationToken)
        => UpdateAccountAsync(
            accountName,
            "UPDATE accounts SET require_app_passwords = @value WHERE name = @name;",
            required,
            name => InMemoryAccountDirectory.AppPasswordsRequiredMessage(name, required),
            cancellationToken);

    /// <inheritdoc />
    /// <remarks>One indexed read: the tag is unique per account.</remarks>
    public async ValueTask<AppPasswordCredential?> FindAppPasswordAsync(string accountName, ReadOnlyMemory<byte> lookupTag, CancellationToken cancellationToken)
    {
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        if (name is null)
        {
            return null;
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var rows = await ReadListAsync(
                connection,
                null,
                $"""
                SELECT {AppPasswordColumns}, p.password FROM app_passwords p JOIN accounts a ON a.id = p.account_id
                WHERE a.name = @name AND p.lookup_tag = @tag;
                """,
                r => (Info: ReadAppPassword(r, name), Record: r.GetString(10)),
                cancellationToken,
                ("@name", name),
                ("@tag", lookupTag.ToArray())).ConfigureAwait(false);
            if (rows is not [var (info, text)] || info is null)
            {
                return null;
            }

            if (!PasswordRecord.TryParse(text, out var record))
            {
                AccountDirectoryLog.MalformedAppPassword(_logger, info.Id, name);
                return null;
            }

            return new AppPasswordCredential(info, record!);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One UPDATE by key, in the transaction logins write their history in (on PostgreSQL it does not wait for the
    /// directory's other writers).
    /// </remarks>
    public async ValueTask RecordAppPasswordUseAsync(string accountName, string id, AppPasswordUse use, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(use);
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        if (name is null)
        {
            return;
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = await BeginHistoryWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(
                connection,
                transaction,
                """
                UPDATE app_passwords SET last_used = @time, last_remote = @remote, last_protocol = @protocol, last_client = @client
                WHERE id = @id AND account_id = (SELECT id FROM accounts WHERE name = @name);
                """,
                cancellationToken,
                ("@id", id),
                ("@name", name),
                ("@time", use.Time.ToUnixTimeMilliseconds()),
                ("@remote", use.RemoteAddress?.ToString()),
                ("@protocol", Clip(use.Protocol) ?? string.Empty),
                ("@client", Clip(use.ClientName))).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Maps the <see cref="AppPasswordColumns"/> of a row; <see langword="null"/> (after a warning) for a row whose
    /// networks cannot be read, which is then never accepted: leaving a network out would let it in from anywhere.
    /// </summary>
    private AppPasswordInfo? ReadAppPassword(DbDataReader reader, string accountName)
    {
        var id = reader.GetString(0);
        if (!AppPasswordFormat.TryParseStoredNetworks(reader.IsDBNull(3) ? null : reader.GetString(3), out var networks))
        {
            AccountDirectoryLog.MalformedAppPassword(_logger, id, accountName);
            return null;
        }

        var lastUse = reader.IsDBNull(6)
            ? null
            : new AppPasswordUse(
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                reader.IsDBNull(7) || !IPAddress.TryParse(reader.GetString(7), out var address) ? null : address,
                reader.IsDBNull(8) ? string.Empty : reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetString(9));
        return new AppPasswordInfo(
            id,
            reader.GetString(1),
            AppPasswordFormat.ParseStoredProtocols(reader.GetString(2)),
            networks,
            reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
            lastUse);
    }
}
