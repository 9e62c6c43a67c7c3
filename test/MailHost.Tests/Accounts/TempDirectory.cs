using MailHost.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace MailHost.Tests.Accounts;

/// <summary>A unique temporary folder, deleted (with its SQLite pool entries) on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        FullPath = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mailhost-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(FullPath);
    }

    public string FullPath { get; }

    public string File(string name) => System.IO.Path.Combine(FullPath, name);

    public void Dispose()
    {
        foreach (var database in Directory.EnumerateFiles(FullPath, "*.db", SearchOption.AllDirectories))
        {
            using var connection = new SqliteConnection(SqliteDatabase.ConnectionString(database));
            SqliteConnection.ClearPool(connection);
        }

        Directory.Delete(FullPath, recursive: true);
    }
}
