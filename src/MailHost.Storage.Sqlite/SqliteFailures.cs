using Microsoft.Data.Sqlite;

namespace MailHost.Storage.Sqlite;

/// <summary>Sorts SQLite and file failures into the store error a client is told.</summary>
internal static class SqliteFailures
{
    // SQLITE_FULL: "insertion failed because database is full", which SQLite also returns when a write of the database,
    // its WAL or its journal meets ENOSPC (os_unix.c unixWrite).
    private const int Full = 13;

    /// <summary>Whether <paramref name="exception"/> or an inner exception is SQLITE_FULL or a file write on a full disk.</summary>
    public static bool IsOutOfSpace(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is SqliteException sqlite && (sqlite.SqliteErrorCode & 0xFF) == Full)
            {
                return true;
            }
        }

        return StorageFailures.IsOutOfSpace(exception);
    }

    /// <summary><see cref="StoreErrorCode.InsufficientStorage"/> for a full disk, otherwise <see cref="StoreErrorCode.Unavailable"/>.</summary>
    public static StoreErrorCode CodeFor(Exception? exception) => IsOutOfSpace(exception) ? StoreErrorCode.InsufficientStorage : StoreErrorCode.Unavailable;

    /// <summary>The text a client sees: the same fixed text for every full disk, <paramref name="otherwise"/> for the rest.</summary>
    public static string MessageFor(Exception? exception, string otherwise) => IsOutOfSpace(exception) ? "Insufficient system storage, try again later." : otherwise;
}
