using System.Security.Cryptography;

namespace MailHost.Accounts.Sql;

/// <summary>The writes authentication itself makes: re-derived password records and the shared server secret.</summary>
public abstract partial class SqlAccountDirectory
{
    private const string ScramSecretName = "scram-fake-credentials";
    private const int ServerSecretLength = 32;

    private byte[]? _serverSecret;

    /// <inheritdoc />
    /// <remarks>One conditional UPDATE: a password set meanwhile (by <c>users passwd</c>, perhaps in another process)
    /// makes the stored text differ from <paramref name="expected"/>, and nothing is written.</remarks>
    public async ValueTask<bool> ReplacePasswordRecordAsync(
        string accountName, PasswordRecord expected, PasswordRecord replacement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(replacement);
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        if (name is null)
        {
            return false;
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            var changed = await ExecuteAsync(
                connection,
                transaction,
                "UPDATE accounts SET password = @replacement WHERE name = @name AND password = @expected;",
                cancellationToken,
                ("@name", name),
                ("@expected", expected.ToString()),
                ("@replacement", replacement.ToString())).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return changed == 1;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Kept in the <c>server_secrets</c> table: the first host to ask inserts a random value, every later call (from
    /// any process) reads that one. Read once per instance; the value never changes.
    /// </remarks>
    public async ValueTask<ReadOnlyMemory<byte>?> GetServerSecretAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _serverSecret) is { } known)
        {
            return known;
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(
                connection,
                transaction,
                "INSERT INTO server_secrets (name, value) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING;",
                cancellationToken,
                ("@name", ScramSecretName),
                ("@value", RandomNumberGenerator.GetBytes(ServerSecretLength))).ConfigureAwait(false);
            using var command = CreateCommand(connection, transaction, "SELECT value FROM server_secrets WHERE name = @name;", [("@name", ScramSecretName)]);
            var value = (byte[])(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _serverSecret, value);
            return value;
        }
    }
}
