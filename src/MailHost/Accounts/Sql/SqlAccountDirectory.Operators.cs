using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;

namespace MailHost.Accounts.Sql;

/// <content>
/// The <see cref="IAdministrationDirectory"/> side of the directory: the administrator role and TOTP state as columns
/// of <c>accounts</c> (so removing an account removes them with its row), API keys in <c>api_keys</c> and the audit log
/// in <c>audit_log</c> (which outlives the accounts it names).
/// </content>
public abstract partial class SqlAccountDirectory : IAdministrationDirectory
{
    /// <summary>How many audit entries are kept: the oldest go as new ones come (up to 99 more wait between trims).</summary>
    public const int AuditLogSize = 100_000;

    // An accepted API key records its use only this long after the last recorded one: a script polling every second
    // would otherwise turn every read into a write (on PostgreSQL, one behind the directory's write lock).
    private static readonly TimeSpan ApiKeyUseRecordInterval = TimeSpan.FromMinutes(1);

    // Every this many audit entries (by id) the log is trimmed: one ranged DELETE on the primary key, not one per insert.
    private const int AuditTrimEvery = 100;

    // Audit text comes from operators and API clients: bounded, so the bounded log is bounded in bytes too.
    private const int MaxAuditActorLength = 320;
    private const int MaxAuditActionLength = 64;
    private const int MaxAuditTargetLength = 320;
    private const int MaxAuditDetailLength = 1000;
    private const int MaxAuditRemoteAddressLength = 64;

    // RFC 4226 §4 R6: at least 128 bits of key, 160 recommended; 64 bytes is one HMAC-SHA-1 block, beyond which the
    // key is hashed first and length buys nothing.
    private const int MinTotpSecretLength = 16;
    private const int MaxTotpSecretLength = 64;

    // The columns ReadApiKey maps, in its order.
    private const string ApiKeyColumns = "id, name, scope, created_by, created, last_used, revoked";

    /// <inheritdoc />
    public ValueTask<AccountAdministrationResult> SetAdministratorAsync(string accountName, bool administrator, CancellationToken cancellationToken)
        => UpdateAccountAsync(
            accountName,
            "UPDATE accounts SET administrator = @value WHERE name = @name;",
            administrator,
            name => administrator ? $"Account '{name}' is an administrator." : $"Account '{name}' is no longer an administrator.",
            cancellationToken);

    /// <inheritdoc />
    public async ValueTask<bool> IsAdministratorAsync(string accountName, CancellationToken cancellationToken)
    {
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        if (name is null)
        {
            return false;
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var account = await FindAccountAsync(connection, null, name, cancellationToken).ConfigureAwait(false);
            return account is { Administrator: true, Disabled: false };
        }
    }

    /// <inheritdoc />
    public async ValueTask<AccountAdministrationResult> SetTotpSecretAsync(string accountName, byte[]? secret, CancellationToken cancellationToken)
    {
        if (secret is { Length: < MinTotpSecretLength or > MaxTotpSecretLength })
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"A TOTP key has {MinTotpSecretLength} to {MaxTotpSecretLength} bytes (20 recommended), not {secret.Length}."),
                nameof(secret));
        }

        // A copy: the caller may clear or reuse its array before the write (it is bound as a parameter value).
        object value = secret is null ? DBNull.Value : secret.ToArray();
        return await UpdateAccountAsync(
            accountName,
            "UPDATE accounts SET totp_secret = @value, totp_last_step = NULL WHERE name = @name;",
            value,
            name => secret is null ? $"TOTP of account '{name}' turned off." : $"TOTP of account '{name}' set up with a new key.",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<byte[]?> GetTotpSecretAsync(string accountName, CancellationToken cancellationToken)
    {
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        if (name is null)
        {
            return null;
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = CreateCommand(connection, null, "SELECT totp_secret FROM accounts WHERE name = @name;", [("@name", name)]);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> TryUseTotpStepAsync(string accountName, long timeStep, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(timeStep);
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        if (name is null)
        {
            return false;
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);

            // The condition and the write are one statement: of two hosts checking the same code at once, one updates
            // the row and the other, re-reading it, finds the step used.
            var recorded = await ExecuteAsync(
                connection,
                transaction,
                """
                UPDATE accounts SET totp_last_step = @step
                WHERE name = @name AND totp_secret IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < @step);
                """,
                cancellationToken,
                ("@name", name),
                ("@step", timeStep)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return recorded == 1;
        }
    }

    /// <inheritdoc />
    public async ValueTask<ApiKeyCreated> CreateApiKeyAsync(string name, ApiKeyScope scope, string createdBy, CancellationToken cancellationToken)
    {
        if (!ApiKeyTokens.IsValidName(name))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"An API key name has 1 to {ApiKeyTokens.MaxNameLength} printable characters."),
                nameof(name));
        }

        if (!Enum.IsDefined(scope))
        {
            throw new ArgumentException($"'{scope}' is not an API key scope.", nameof(scope));
        }

        ArgumentNullException.ThrowIfNull(createdBy);
        var creator = Clip(createdBy, MaxAuditActorLength);
        var created = NowMilliseconds();
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            while (true)
            {
                // 48 random bits: a clash is most unlikely, and a clash is simply drawn again rather than failing.
                var id = ApiKeyTokens.NewId();
                var (token, secretHash) = ApiKeyTokens.NewToken(id);
                var inserted = await ExecuteAsync(
                    connection,
                    transaction,
                    """
                    INSERT INTO api_keys (id, name, scope, secret_hash, created_by, created, last_used, revoked)
                    VALUES (@id, @name, @scope, @hash, @createdBy, @created, NULL, NULL) ON CONFLICT (id) DO NOTHING;
                    """,
                    cancellationToken,
                    ("@id", id),
                    ("@name", name),
                    ("@scope", scope.ToString()),
                    ("@hash", secretHash),
                    ("@createdBy", creator),
                    ("@created", created)).ConfigureAwait(false);
                if (inserted == 1)
                {
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    var key = new ApiKeyInfo(id, name, scope, creator, DateTimeOffset.FromUnixTimeMilliseconds(created), null, false);
                    AccountDirectoryLog.ApiKeyCreated(_logger, id, name, scope, creator);
                    return new ApiKeyCreated(key, token);
                }
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ReadListAsync(
                connection,
                null,
                $"SELECT {ApiKeyColumns} FROM api_keys ORDER BY created DESC, id;",
                ReadApiKey,
                cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> RevokeApiKeyAsync(string id, CancellationToken cancellationToken)
    {
        var canonical = ApiKeyTokens.CanonicalizeId(id);
        if (canonical is null)
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
                "UPDATE api_keys SET revoked = @now WHERE id = @id AND revoked IS NULL;",
                cancellationToken,
                ("@id", canonical),
                ("@now", NowMilliseconds())).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            if (revoked == 1)
            {
                AccountDirectoryLog.ApiKeyRevoked(_logger, canonical);
            }

            return revoked == 1;
        }
    }

    /// <inheritdoc />
    public async ValueTask<ApiKeyInfo?> VerifyApiKeyAsync(string token, CancellationToken cancellationToken)
    {
        if (!ApiKeyTokens.TryParse(token, out var id, out var presentedHash))
        {
            return null;
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var rows = await ReadListAsync(
                connection,
                null,
                $"SELECT {ApiKeyColumns}, secret_hash FROM api_keys WHERE id = @id;",
                r => (Key: ReadApiKey(r), Hash: (byte[])r.GetValue(7)),
                cancellationToken,
                ("@id", id)).ConfigureAwait(false);
            if (rows is not [var (key, storedHash)] || key.Revoked || !CryptographicOperations.FixedTimeEquals(storedHash, presentedHash))
            {
                return null;
            }

            var now = _timeProvider.GetUtcNow();
            if (key.LastUsed is { } lastUsed && now - lastUsed < ApiKeyUseRecordInterval)
            {
                return key;
            }

            var nowMilliseconds = now.ToUnixTimeMilliseconds();
            using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);

            // Conditional, so that hosts verifying the same key at once record one use, and a key revoked meanwhile
            // is not touched (the revocation wins; this request was already under way).
            var recorded = await ExecuteAsync(
                connection,
                transaction,
                "UPDATE api_keys SET last_used = @now WHERE id = @id AND revoked IS NULL AND (last_used IS NULL OR last_used <= @due);",
                cancellationToken,
                ("@id", id),
                ("@now", nowMilliseconds),
                ("@due", nowMilliseconds - (long)ApiKeyUseRecordInterval.TotalMilliseconds)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return recorded == 1 ? key with { LastUsed = DateTimeOffset.FromUnixTimeMilliseconds(nowMilliseconds) } : key;
        }
    }

    /// <inheritdoc />
    public async ValueTask AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(entry.Actor, nameof(entry));
        ArgumentNullException.ThrowIfNull(entry.Action, nameof(entry));
        ArgumentNullException.ThrowIfNull(entry.Target, nameof(entry));
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            using (var insert = CreateCommand(
                connection,
                transaction,
                """
                INSERT INTO audit_log (time, actor, remote_address, action, target, detail)
                VALUES (@time, @actor, @remote, @action, @target, @detail) RETURNING id;
                """,
                [
                    ("@time", entry.Time.ToUnixTimeMilliseconds()),
                    ("@actor", Clip(entry.Actor, MaxAuditActorLength)),
                    ("@remote", Clip(entry.RemoteAddress, MaxAuditRemoteAddressLength)),
                    ("@action", Clip(entry.Action, MaxAuditActionLength)),
                    ("@target", Clip(entry.Target, MaxAuditTargetLength)),
                    ("@detail", Clip(entry.Detail, MaxAuditDetailLength)),
                ]))
            {
                var id = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
                if (id % AuditTrimEvery == 0)
                {
                    await ExecuteAsync(
                        connection,
                        transaction,
                        "DELETE FROM audit_log WHERE id <= @cutoff;",
                        cancellationToken,
                        ("@cutoff", id - AuditLogSize)).ConfigureAwait(false);
                }
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<AuditEntry>> GetAuditAsync(int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ReadListAsync(
                connection,
                null,
                "SELECT time, actor, remote_address, action, target, detail FROM audit_log ORDER BY id DESC LIMIT @limit;",
                r => new AuditEntry(
                    DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)),
                    r.GetString(1),
                    r.IsDBNull(2) ? null : r.GetString(2),
                    r.GetString(3),
                    r.GetString(4),
                    r.IsDBNull(5) ? null : r.GetString(5)),
                cancellationToken,
                ("@limit", maxCount)).ConfigureAwait(false);
        }
    }

    private static ApiKeyInfo ReadApiKey(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        // A scope this version does not know (written by a newer one) grants the least.
        Enum.TryParse<ApiKeyScope>(reader.GetString(2), out var scope) && Enum.IsDefined(scope) ? scope : ApiKeyScope.ReadOnly,
        reader.GetString(3),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
        reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
        !reader.IsDBNull(6));

    /// <summary>At most <paramref name="maxLength"/> characters of <paramref name="text"/>, never half a surrogate pair.</summary>
    [return: NotNullIfNotNull(nameof(text))]
    private static string? Clip(string? text, int maxLength)
    {
        if (text is null || text.Length <= maxLength)
        {
            return text;
        }

        return text[..(char.IsHighSurrogate(text[maxLength - 1]) ? maxLength - 1 : maxLength)];
    }
}
