using Npgsql;

namespace MailHost.Storage.Postgres.Queue;

/// <summary>
/// Which exceptions mean "the database cannot be reached or refused the work now": a server error, a lost or refused
/// connection, an exhausted pool, a command timeout. The stores turn them into <see cref="StoreErrorCode.Unavailable"/>
/// where the contract returns a result (SMTP <c>451 4.3.0</c>, RFC 5321 §4.2.2), and let them propagate where it does not.
/// </summary>
internal static class PostgresFailures
{
    public static bool IsUnavailable(Exception exception) => exception is NpgsqlException or TimeoutException;

    /// <summary>
    /// <see cref="StoreErrorCode.InsufficientStorage"/> when the database server's disk is full (SQLSTATE 53100
    /// disk_full), or the spool's on this host; otherwise <see cref="StoreErrorCode.Unavailable"/>.
    /// </summary>
    public static StoreErrorCode CodeFor(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.DiskFull } || StorageFailures.IsOutOfSpace(exception)
            ? StoreErrorCode.InsufficientStorage
            : StoreErrorCode.Unavailable;

    /// <summary>Text for the client that names the kind of failure and nothing of the server or its data.</summary>
    public static string Describe(string what, Exception exception) => exception switch
    {
        PostgresException postgres => what + " failed: SQLSTATE " + postgres.SqlState + ".",
        { InnerException: TimeoutException } or TimeoutException => what + " timed out.",
        _ => what + " could not be reached.",
    };
}
