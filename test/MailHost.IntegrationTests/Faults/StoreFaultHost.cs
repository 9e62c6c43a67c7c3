using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Outbound;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Microsoft.Data.Sqlite;

namespace MailHost.IntegrationTests.Faults;

/// <summary>
/// The real host over a data directory on a <see cref="SmallFilesystem"/>: MX, submission (implicit TLS), IMAP and POP3
/// on 127.0.0.1:0, the account alice@example.com (password "alice-pw"), and the raw protocol steps the fault tests
/// need to see the exact replies.
/// </summary>
public sealed class StoreFaultHost : IAsyncDisposable
{
    public const string Password = "alice-pw";
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(15);
    private readonly TempDirectory _data;

    private StoreFaultHost(TempDirectory data, SmallFilesystem disk, MailHostInstance host)
    {
        _data = data;
        Disk = disk;
        Host = host;
    }

    public SmallFilesystem Disk { get; }

    public MailHostInstance Host { get; }

    public string DataDirectory => _data.Path;

    public string MailDatabase => Path.Combine(DataDirectory, "mail.db");

    /// <summary>Mounts a tmpfs of <paramref name="megabytes"/> MiB as the data directory and starts the host over it.</summary>
    public static async Task<StoreFaultHost> StartAsync(int megabytes = 24, params string[] extra)
    {
        var data = new TempDirectory();
        var disk = await SmallFilesystem.MountAsync(megabytes, data.Path);
        try
        {
            await MailHostInstance.AdminAsync(data.Path, "domains", "add", "example.com");
            await MailHostInstance.AdminAsync(data.Path, "users", "add", "alice", "--address", "alice@example.com", "--password", Password);
            await File.WriteAllBytesAsync(
                Path.Combine(data.Path, "test-certificate.pfx"),
                TestCertificate.Certificate.Export(X509ContentType.Pkcs12, MailHostInstance.CertificatePassword));
            var host = await MailHostInstance.StartAsync(
                data,
                "mail.example.com",
                [
                    "--MailHost:Auth:AllowPlaintextAuthentication=true",
                    "--MailHost:Endpoints:Imap:Url=imap://127.0.0.1:0",
                    "--MailHost:Endpoints:Pop3:Url=pop3://127.0.0.1:0",
                    .. extra,
                ]);
            host.OwnsData = false;
            return new StoreFaultHost(data, disk, host);
        }
        catch
        {
            await disk.DisposeAsync();
            data.Dispose();
            throw;
        }
    }

    /// <summary>A message of about <paramref name="size"/> octets, CRLF line ends, no line starting with a dot.</summary>
    public static byte[] Message(string subject, int size)
    {
        var text = new StringBuilder()
            .Append("From: bob@remote.example\r\nTo: alice@example.com\r\nSubject: ").Append(subject)
            .Append("\r\nMessage-ID: <").Append(Guid.NewGuid().ToString("N")).Append("@remote.example>\r\nDate: Mon, 07 Dec 2026 10:00:00 +0000\r\n\r\n");
        var line = 0;
        while (text.Length < size)
        {
            text.Append(subject).Append(' ').Append(line++).Append(' ').Append('x', 60).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>Opens an MX session (EHLO done) for <see cref="SendAsync(LineClient, byte[])"/>.</summary>
    public async Task<LineClient> OpenMxAsync()
    {
        var client = await LineClient.ConnectAsync(Host.Mx);
        (await client.ReadLineAsync(ReplyTimeout)).Should().StartWith("220 ");
        await client.SendAsync("EHLO client.remote.example\r\n");
        await ReadReplyAsync(client);
        return client;
    }

    /// <summary>One transaction to alice over <paramref name="client"/>; returns the reply to the end of data.</summary>
    public static async Task<string> SendAsync(LineClient client, byte[] message)
    {
        await client.SendAsync("MAIL FROM:<bob@remote.example>\r\n");
        (await ReadReplyAsync(client)).Should().StartWith("250 ");
        await client.SendAsync("RCPT TO:<alice@example.com>\r\n");
        (await ReadReplyAsync(client)).Should().StartWith("250 ");
        await client.SendAsync("DATA\r\n");
        (await ReadReplyAsync(client)).Should().StartWith("354 ");
        await client.SendRawAsync(message);
        await client.SendAsync(".\r\n");
        return await ReadReplyAsync(client);
    }

    /// <summary>One message to alice on a new MX connection.</summary>
    public async Task<string> SendAsync(byte[] message)
    {
        await using var client = await OpenMxAsync();
        return await SendAsync(client, message);
    }

    /// <summary>Logs alice in over plain IMAP.</summary>
    public async Task<LineClient> OpenImapAsync()
    {
        var client = await LineClient.ConnectAsync(Host.Endpoint("Imap"));
        (await client.ReadLineAsync(ReplyTimeout)).Should().StartWith("* OK");
        await client.SendAsync("a LOGIN alice " + Password + "\r\n");
        (await ReadTaggedAsync(client, "a")).Should().StartWith("a OK");
        return client;
    }

    /// <summary>APPENDs <paramref name="message"/> to INBOX; returns the tagged response.</summary>
    public static async Task<string> AppendAsync(LineClient client, string tag, byte[] message)
    {
        await client.SendAsync($"{tag} APPEND INBOX {{{message.Length}}}\r\n");
        var line = await client.ReadLineAsync(ReplyTimeout);
        if (line is null || !line.StartsWith('+'))
        {
            return line ?? "(closed)";
        }

        await client.SendRawAsync(message);
        await client.SendAsync("\r\n");
        return await ReadTaggedAsync(client, tag);
    }

    /// <summary>Logs alice in over POP3 (USER and PASS).</summary>
    public async Task<LineClient> OpenPop3Async()
    {
        var client = await LineClient.ConnectAsync(Host.Endpoint("Pop3"));
        (await client.ReadLineAsync(ReplyTimeout)).Should().StartWith("+OK");
        await client.SendAsync("USER alice\r\n");
        (await client.ReadLineAsync(ReplyTimeout)).Should().StartWith("+OK");
        await client.SendAsync("PASS " + Password + "\r\n");
        (await client.ReadLineAsync(ReplyTimeout)).Should().StartWith("+OK");
        return client;
    }

    /// <summary>Every message in alice's INBOX as stored, read over IMAP (MailKit), in UID order.</summary>
    public async Task<List<byte[]>> InboxAsync()
    {
        var imap = Host.Endpoint("Imap");
        using var client = new ImapClient { Timeout = 15_000 };
        await client.ConnectAsync(imap.Address.ToString(), imap.Port, SecureSocketOptions.None);
        await client.AuthenticateAsync("alice", Password);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var messages = new List<byte[]>();
        for (var i = 0; i < client.Inbox.Count; i++)
        {
            using var stream = await client.Inbox.GetStreamAsync(i, string.Empty);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            messages.Add(copy.ToArray());
        }

        await client.DisconnectAsync(quit: true);
        return messages;
    }

    /// <summary>
    /// Checks the INBOX holds exactly <paramref name="expected"/>, in order: each stored message ends with the bytes sent
    /// (the server adds its trace fields in front; an APPENDed one is stored as sent), compared by SHA-256.
    /// </summary>
    public async Task InboxShouldHoldAsync(params byte[][] expected)
    {
        var stored = await InboxAsync();
        stored.Should().HaveCount(expected.Length, "every acknowledged message is there and nothing refused is");
        for (var i = 0; i < expected.Length; i++)
        {
            var tail = stored[i].AsSpan(stored[i].Length - Math.Min(stored[i].Length, expected[i].Length)).ToArray();
            Convert.ToHexString(SHA256.HashData(tail)).Should().Be(Convert.ToHexString(SHA256.HashData(expected[i])), $"message {i + 1} is intact");
        }
    }

    /// <summary>Temporary files anywhere in the data directory (spool, content and queue temp files): none may be left.</summary>
    public IEnumerable<string> TemporaryFiles()
        => Directory.EnumerateFiles(DataDirectory, "*.tmp", SearchOption.AllDirectories);

    /// <summary>
    /// Folds the WAL of <c>mail.db</c> into the database and truncates it to nothing, so that the next commit must grow
    /// the file: on a full disk that write fails (SQLITE_FULL) instead of reusing the room of earlier frames.
    /// </summary>
    public async Task TruncateWalAsync()
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = MailDatabase, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";

        // The host's own readers and writer (the text indexer after a delivery, a login) can hold the checkpoint off
        // for a moment: it is tried again until it goes through, for a bounded time.
        var deadline = DateTime.UtcNow + ReplyTimeout;
        int busy;
        do
        {
            await using var reader = await command.ExecuteReaderAsync();
            (await reader.ReadAsync()).Should().BeTrue();
            busy = reader.GetInt32(0);
            if (busy != 0)
            {
                await Task.Delay(50);
            }
        }
        while (busy != 0 && DateTime.UtcNow < deadline);

        busy.Should().Be(0, "the checkpoint was not blocked");
        new FileInfo(MailDatabase + "-wal").Length.Should().Be(0);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Disk.DisposeAsync();
        _data.Dispose();
    }

    private static async Task<string> ReadReplyAsync(LineClient client)
    {
        while (true)
        {
            var line = await client.ReadLineAsync(ReplyTimeout) ?? throw new IOException("The server closed the connection.");
            if (line.Length < 4 || line[3] != '-')
            {
                return line;
            }
        }
    }

    private static async Task<string> ReadTaggedAsync(LineClient client, string tag)
    {
        while (true)
        {
            var line = await client.ReadLineAsync(ReplyTimeout) ?? throw new IOException("The server closed the connection.");
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                return line;
            }
        }
    }
}
