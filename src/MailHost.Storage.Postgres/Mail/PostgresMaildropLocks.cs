using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// The POP3 maildrop lock (RFC 1939 §8) across every host of a site: a session-level PostgreSQL advisory lock, held
/// on a connection of its own for as long as the POP3 session keeps the maildrop. The connection is never pooled, so
/// the lock cannot outlive its session in a pool; and when a host dies, PostgreSQL ends its connections and so
/// releases its locks.
/// </summary>
internal sealed class PostgresMaildropLocks : IMaildropLocks, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresMaildropLocks(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "MailHost POP3 maildrop lock" };
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    public async ValueTask<IAsyncDisposable?> TryAcquireAsync(string accountName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountName);
        var key = KeyOf(accountName);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
            command.Parameters.AddWithValue("key", key);
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
            {
                return new Handle(connection);
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>
    /// The lock key of an account: 64 bits of SHA-256 over a prefix and the name, so POP3 keys do not meet the
    /// store's other advisory locks, and two accounts share a key with a chance of 2^-64.
    /// </summary>
    internal static long KeyOf(string accountName)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes("mailhost-pop3-maildrop:" + accountName), hash);
        return BinaryPrimitives.ReadInt64BigEndian(hash);
    }

    // Closing the connection ends the PostgreSQL session, which releases the lock (an unlock first would only add a round trip).
    private sealed class Handle(NpgsqlConnection connection) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }
}
