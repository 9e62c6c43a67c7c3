using MailHost.Accounts;
using MailHost.Storage.Sqlite.Accounts;

namespace MailHost.Tests.Accounts;

/// <summary>A fresh directory database in a unique temporary folder per test, with a 30 s limit on every call.</summary>
public abstract class DirectoryTestBase : IDisposable
{
    protected const int Iterations = PasswordRecord.MinimumIterations;

    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    protected TempDirectory Temp { get; } = new();

    protected ManualTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    protected RecordingLogger Logger { get; } = new();

    protected CancellationToken Ct => _timeout.Token;

    protected string DatabasePath => Temp.File("directory.db");

    protected Task<SqliteAccountDirectory> OpenAsync() => SqliteAccountDirectory.OpenAsync(DatabasePath, Logger, Time, Ct);

    /// <summary>A directory with example.com and example.org, and alice (alice@example.com, a.smith@example.com) with password "secret".</summary>
    protected async Task<SqliteAccountDirectory> OpenWithAliceAsync()
    {
        var directory = await OpenAsync();
        (await directory.AddDomainAsync("example.com", Ct)).Succeeded.Should().BeTrue();
        (await directory.AddDomainAsync("example.org", Ct)).Succeeded.Should().BeTrue();
        var added = await directory.AddAccountAsync("alice", ["alice@example.com", "a.smith@example.com"], PasswordRecord.Create("secret", Iterations), Ct);
        added.Succeeded.Should().BeTrue(added.Message);
        return directory;
    }

    public void Dispose()
    {
        _timeout.Dispose();
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }
}
