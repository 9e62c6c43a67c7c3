using MailHost.Hosting;
using MailHost.Storage.Sqlite;
using MailHost.Tests.Accounts;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace MailHost.Tests.Hosting;

/// <summary>
/// Secrets at rest: what MailHost writes is owner-only from its creation on Unix (the test process keeps its usual
/// umask, 022 here, which would leave files 0644), and the start-up protection tightens what already exists.
/// </summary>
public sealed class OwnerOnlyFilesTests : IDisposable
{
    private const UnixFileMode File0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Directory0700 = File0600 | UnixFileMode.UserExecute;
    private const UnixFileMode File0644 = File0600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Directory0755 = Directory0700 | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task A_database_and_the_wal_and_shm_files_sqlite_adds_are_owner_only_and_so_is_a_new_directory()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = Path.Combine(_temp.FullPath, "new", "deeper", "secrets.db");
        await using (var connection = await SqliteDatabase.OpenAsync(path, default).WaitAsync(TimeSpan.FromSeconds(30)))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE keys (k BLOB); INSERT INTO keys VALUES (x'00');";
            await command.ExecuteNonQueryAsync();

            // WAL mode: both exist while a connection is open.
            File.GetUnixFileMode(path).Should().Be(File0600);
            File.GetUnixFileMode(path + "-wal").Should().Be(File0600);
            File.GetUnixFileMode(path + "-shm").Should().Be(File0600);
        }

        File.GetUnixFileMode(Path.GetDirectoryName(path)!).Should().Be(Directory0700);
        using var pool = new SqliteConnection(SqliteDatabase.ConnectionString(path));
        SqliteConnection.ClearPool(pool);
    }

    [Fact]
    public void Start_up_protection_makes_existing_entries_owner_only_says_what_it_changed_and_leaves_links_alone()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var data = Path.Combine(_temp.FullPath, "data");
        var blobs = Path.Combine(data, "blobs", "ab");
        Directory.CreateDirectory(blobs);
        File.SetUnixFileMode(data, Directory0755);
        File.SetUnixFileMode(blobs, Directory0755);
        var database = Path.Combine(data, "directory.db");
        File.WriteAllText(database, "records");
        File.SetUnixFileMode(database, File0644);
        var content = Path.Combine(blobs, "abcdef");
        File.WriteAllText(content, "mail");
        File.SetUnixFileMode(content, File0644 | UnixFileMode.SetUser);
        var outside = Path.Combine(_temp.FullPath, "not-ours.txt");
        File.WriteAllText(outside, "shared");
        File.SetUnixFileMode(outside, File0644);
        File.CreateSymbolicLink(Path.Combine(data, "link"), outside);
        var logger = new RecordingLogger();

        var changed = DataDirectoryProtection.Protect(data, logger);

        changed.Should().Be(5, "the data directory, blobs, blobs/ab, directory.db and the content file");
        File.GetUnixFileMode(data).Should().Be(Directory0700);
        File.GetUnixFileMode(Path.Combine(data, "blobs")).Should().Be(Directory0700);
        File.GetUnixFileMode(blobs).Should().Be(Directory0700);
        File.GetUnixFileMode(database).Should().Be(File0600);
        File.GetUnixFileMode(content).Should().Be(File0600, "set-id bits go too");
        File.GetUnixFileMode(outside).Should().Be(File0644, "a link is not followed out of the data directory");
        var warning = logger.Entries.Should().ContainSingle(e => e.EventId.Id == 1400).Subject;
        warning.Level.Should().Be(LogLevel.Warning);
        warning.Message.Should().Contain(database + " (0644 -> 0600)").And.Contain(data + " (0755 -> 0700)");

        DataDirectoryProtection.Protect(data, logger).Should().Be(0);
        logger.Entries.Should().ContainSingle(e => e.EventId.Id == 1400, "nothing more to say the second time");
    }

    [Fact]
    public void A_generated_certificate_replacing_an_unreadable_one_is_owner_only_and_leaves_no_temporary_file()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var certificate = Path.Combine(_temp.FullPath, "selfsigned-certificate.pfx");
        File.WriteAllText(certificate, "not a certificate");
        File.SetUnixFileMode(certificate, File0644);
        var provider = new MailCertificateProvider(
            Microsoft.Extensions.Options.Options.Create(new MailHostOptions { DataDirectory = _temp.FullPath, Hostname = "mail.test" }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<MailCertificateProvider>.Instance);

        provider.GetCertificate().Subject.Should().Be("CN=mail.test");

        File.GetUnixFileMode(certificate).Should().Be(File0600, "the new file replaces the old one instead of inheriting its mode");
        Directory.EnumerateFiles(_temp.FullPath).Should().ContainSingle();
    }

    public void Dispose() => _temp.Dispose();
}
