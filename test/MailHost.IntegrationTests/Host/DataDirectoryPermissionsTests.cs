using System.Net;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Outbound;
using MailHost.Server;
using MailHost.Smtp;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace MailHost.IntegrationTests.Host;

/// <summary>
/// Secrets at rest: with the usual umask (022), everything the running host has written into its data directory (the
/// account database with password records, queue.db with DKIM private keys, mail.db, content files, queued messages,
/// the generated certificate, the SQLite -wal and -shm files, the SMTP spool) is owner-only while the host runs, so it
/// was created that way; what existed with wider modes was tightened at start with a warning.
/// </summary>
public sealed class DataDirectoryPermissionsTests
{
    private const UnixFileMode File0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Directory0700 = File0600 | UnixFileMode.UserExecute;

    [Fact]
    public async Task Every_file_a_host_that_received_and_queued_mail_wrote_is_owner_only_and_the_spool_is_inside()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var data = await MailHostInstance.PrepareAsync(["example.com"], "alice@example.com");
        await MailHostInstance.AdminAsync(data.Path, "domains", "dkim", "example.com");
        File.GetUnixFileMode(Path.Combine(data.Path, "test-certificate.pfx")).Should().NotBe(File0600, "the test wrote it with the umask's mode");
        var deadPort = ClosedPort();
        await using var host = await MailHostInstance.StartAsync(
            data,
            "mail.example.com",
            "--MailHost:Outbound:Routes:remote.example=127.0.0.1:" + deadPort,
            "--MailHost:Outbound:RetryInitialDelay=01:00:00",
            "--MailHost:Smtp:SpoolMemoryThreshold=1024");

        await SendAsync(host.Mx, SecureSocketOptions.None, null, "alice@example.com", new string('m', 150_000));
        await SendAsync(host.Submission, SecureSocketOptions.SslOnConnect, "alice", "bob@remote.example", "queued for a dead next hop");
        await host.WaitForDeliveryEventAsync(3001, "TemporaryFailure");

        var spool = host.Services.GetRequiredService<IOptions<SmtpOptions>>().Value.SpoolDirectory;
        spool.Should().Be(Path.Combine(data.Path, "spool"));
        var entries = Existing(new DirectoryInfo(data.Path));
        var names = entries.Select(e => Path.GetRelativePath(data.Path, e.FullName).Replace('\\', '/')).ToList();
        names.Should().Contain(["directory.db", "mail.db", "mail.db-wal", "mail.db-shm", "queue.db", "queue.db-wal", "queue.db-shm", "spool", "test-certificate.pfx"]);
        names.Should().Contain(n => n.StartsWith("blobs/", StringComparison.Ordinal) && n.Length > 60, "the large message is a content file");
        names.Should().Contain(n => n.StartsWith("queue/", StringComparison.Ordinal) && !n.EndsWith("/tmp", StringComparison.Ordinal), "the queued message has a content file");
        File.GetUnixFileMode(data.Path).Should().Be(Directory0700);
        entries.Where(e => e is DirectoryInfo).Should().OnlyContain(d => d.UnixFileMode == Directory0700, Modes(entries));
        entries.Where(e => e is FileInfo).Should().OnlyContain(f => f.UnixFileMode == File0600, Modes(entries));

        // The certificate the test left with a wider mode, and the directory itself, were tightened at start, with a warning.
        host.Logs.Entries.Should().Contain(e => e.EventId.Id == 1400 && e.Level == LogLevel.Warning
            && e.Message.Contains("test-certificate.pfx (0644 -> 0600)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_host_on_a_new_data_directory_creates_it_and_everything_in_it_owner_only_with_nothing_to_fix()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var parent = new TempDirectory();
        var data = Path.Combine(parent.Path, "data");
        var logs = new CapturingLoggerProvider();
        await using var app = MailHostServer.Build(
            ["--contentRoot=" + parent.Path, "--MailHost:DataDirectory=" + data, "--MailHost:Hostname=mail.test", "--MailHost:Endpoints:Imaps:Url=imaps://127.0.0.1:0"],
            builder =>
            {
                builder.Logging.ClearProviders();
                builder.Logging.AddProvider(logs);
            });
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            logs.Entries.Should().Contain(e => e.EventId.Id == 1201, "a self-signed certificate was generated");
            var entries = Existing(new DirectoryInfo(data));
            entries.Select(e => e.Name).Should().Contain(["selfsigned-certificate.pfx", "mail.db", "mail.db-wal", "spool", "blobs"]);
            File.GetUnixFileMode(data).Should().Be(Directory0700);
            entries.Where(e => e is DirectoryInfo).Should().OnlyContain(d => d.UnixFileMode == Directory0700, Modes(entries));
            entries.Where(e => e is FileInfo).Should().OnlyContain(f => f.UnixFileMode == File0600, Modes(entries));
            logs.Entries.Should().NotContain(e => e.EventId.Id == 1400, "everything was created owner-only; nothing was tightened afterwards");
        }
        finally
        {
            await app.StopAsync();
        }
    }

    /// <summary>
    /// The entries below <paramref name="directory"/> that still exist once their modes are read: a running host's
    /// SQLite rollback journals come and go between the listing and the reading.
    /// </summary>
    private static List<FileSystemInfo> Existing(DirectoryInfo directory)
        => [.. directory.EnumerateFileSystemInfos("*", SearchOption.AllDirectories).Where(e =>
        {
            e.Refresh();
            return e.Exists;
        })];

    private static string Modes(List<FileSystemInfo> entries)
        => string.Join(", ", entries.Select(e => $"{e.FullName} {Convert.ToString((int)e.UnixFileMode, 8)}"));

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task SendAsync(IPEndPoint endPoint, SecureSocketOptions security, string? account, string to, string body)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(account is null ? "sender@elsewhere.example" : account + "@example.com"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = "Mode check";
        message.Body = new TextPart("plain") { Text = body };
        using var client = new SmtpClient { ServerCertificateValidationCallback = TestCertificate.Validate, Timeout = 15_000 };
        await client.ConnectAsync(endPoint.Address.ToString(), endPoint.Port, security);
        if (account is not null)
        {
            await client.AuthenticateAsync(account, account + "-pw");
        }

        await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);
    }
}
