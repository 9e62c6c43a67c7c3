using MailHost.Hosting;
using MailHost.Imap;
using MailHost.IntegrationTests.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Pop3;
using MailHost.IntegrationTests.Smtp;
using MailHost.Pop3;
using MailHost.Smtp;
using MailHost.Storage.Sqlite.Mail;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Security;
using Microsoft.Extensions.Logging;

namespace MailHost.IntegrationTests.Faults;

/// <summary>
/// The endpoints of one fault test over one SQLite store, with the places the server keeps unfinished content where a
/// test can see them: the store's spool (<c>blobs/tmp</c>, where an APPEND streams) and the SMTP spool. Both spill to
/// a file past 1 KiB, so any message cut halfway has had a file to leak. Every endpoint is named by the
/// <see cref="FaultObserver"/>, which counts its connections; a plain IMAP endpoint reads the mailbox back with MailKit.
/// </summary>
internal sealed class FaultMailHost : IAsyncDisposable
{
    /// <summary>Content past this many octets goes to a spool file (the store's and SMTP's).</summary>
    public const int SpoolThreshold = 1024;

    private readonly TempDirectory _data;
    private readonly TempDirectory _smtpSpool;
    private readonly SqliteMailStore _store;
    private readonly List<IAsyncDisposable> _servers = [];
    private readonly List<CapturingLoggerProvider> _logs = [];
    private TestMailServer<ImapConnectionHandler>? _reader;

    private FaultMailHost(FaultObserver observer, TempDirectory data, TempDirectory smtpSpool, SqliteMailStore store)
    {
        Observer = observer;
        _data = data;
        _smtpSpool = smtpSpool;
        _store = store;
        World = new MailWorld(store);
    }

    public FaultObserver Observer { get; }

    public MailWorld World { get; }

    /// <summary>Where the SQLite store streams content before it commits it (an APPEND's literal).</summary>
    public string StoreSpoolDirectory => Path.Combine(_data.Path, "blobs", "tmp");

    /// <summary>Where SMTP keeps DATA and BDAT content until the message is delivered or dropped.</summary>
    public string SmtpSpoolDirectory => _smtpSpool.Path;

    public static async Task<FaultMailHost> StartAsync(FaultObserver observer)
    {
        var data = new TempDirectory();
        var spool = new TempDirectory();
        var store = await SqliteMailStore.OpenAsync(new SqliteMailStoreOptions { DataDirectory = data.Path, InlineThreshold = SpoolThreshold }, null, null, default)
            .WaitAsync(TimeSpan.FromSeconds(30));
        return new FaultMailHost(observer, data, spool, store);
    }

    /// <summary>An IMAP endpoint (plain-text logins allowed, so raw clients can log in without TLS).</summary>
    public async Task<TestMailServer<ImapConnectionHandler>> ImapAsync(
        MailTlsMode tls = MailTlsMode.None, Action<ImapOptions>? imap = null, Action<MailEndpointOptions>? endpoint = null)
        => Keep(await ImapTestServer.StartAsync(World, tls, allowPlaintext: true, imap: imap, endpoint: Named("Imap", endpoint)));

    /// <summary>An SMTP MX endpoint spooling to <see cref="SmtpSpoolDirectory"/>.</summary>
    public async Task<TestMailServer<SmtpConnectionHandler>> SmtpAsync(
        MailTlsMode tls = MailTlsMode.None, Action<SmtpOptions>? smtp = null, Action<MailEndpointOptions>? endpoint = null)
        => Keep(await SmtpTestHost.StartAsync(
            World,
            tls: tls,
            smtp: o =>
            {
                o.SpoolDirectory = SmtpSpoolDirectory;
                o.SpoolMemoryThreshold = SpoolThreshold;
                smtp?.Invoke(o);
            },
            endpoint: Named("Smtp", endpoint)));

    /// <summary>A POP3 endpoint (plain-text logins allowed).</summary>
    public async Task<TestMailServer<Pop3ConnectionHandler>> Pop3Async(
        MailTlsMode tls = MailTlsMode.None, Action<Pop3Options>? pop3 = null, Action<MailEndpointOptions>? endpoint = null)
        => Keep(await Pop3SessionTests.StartAsync(World, tls, allowPlaintext: true, pop3: pop3, endpoint: Named("Pop3", endpoint)));

    /// <summary>Alice's INBOX as a new MailKit session sees it: how many messages, and the next UID.</summary>
    public async Task<(int Count, uint UidNext)> ReadInboxAsync()
    {
        _reader ??= await ImapAsync();
        using var client = new ImapClient { Timeout = 15_000 };
        await client.ConnectAsync("127.0.0.1", _reader.Port, SecureSocketOptions.None);
        await client.AuthenticateAsync("alice", MailWorld.AlicePassword);
        var status = await client.GetFolderAsync("INBOX");
        await status.StatusAsync(StatusItems.Count | StatusItems.UidNext);
        var result = (status.Count, status.UidNext?.Id ?? 0);
        await client.DisconnectAsync(true);
        return result;
    }

    /// <summary>Logs in to <paramref name="server"/> as alice over POP3 at once: the maildrop lock is free. Returns the message count.</summary>
    public static async Task<int> Pop3LoginAsync(TestMailServer<Pop3ConnectionHandler> server, TimeSpan within)
    {
        using var client = new Pop3Client { Timeout = (int)within.TotalMilliseconds };
        await client.ConnectAsync("127.0.0.1", server.Port, SecureSocketOptions.None);
        await client.AuthenticateAsync("alice", MailWorld.AlicePassword);
        var count = client.Count;
        await client.DisconnectAsync(true);
        return count;
    }

    /// <summary>Files under both spool directories (none once every session has ended).</summary>
    public IReadOnlyList<string> SpoolFiles()
        => [.. FilesUnder(StoreSpoolDirectory), .. FilesUnder(SmtpSpoolDirectory)];

    /// <summary>
    /// Waits for a spool file to exist: the content cut halfway had reached a file, so its removal afterwards is
    /// what the test shows.
    /// </summary>
    public async Task WaitForSpoolFileAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (SpoolFiles().Count == 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), cts.Token);
        }
    }

    /// <summary>
    /// The checks after every cut: no connection left, no spool file left, and nothing logged as an error (no exception
    /// escaped a session: event 1002 is the connection's last error boundary).
    /// </summary>
    public async Task ExpectCleanAfterCutAsync()
    {
        await Observer.ExpectNoConnectionsAsync(TimeSpan.FromSeconds(15));
        SpoolFiles().Should().BeEmpty("content of a session that ended unfinished is removed with it");
        ExpectNoErrorsLogged();
    }

    /// <summary>No server of this host logged an error (a client going away is no error).</summary>
    public void ExpectNoErrorsLogged()
        => _logs.SelectMany(l => l.Entries).Where(e => e.Level >= LogLevel.Error)
            .Select(e => $"{e.Category} {e.EventId.Id}: {e.Message}").Should().BeEmpty();

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        await _store.DisposeAsync();
        _data.Dispose();
        _smtpSpool.Dispose();
    }

    private static IEnumerable<string> FilesUnder(string directory)
        => Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories) : [];

    private Action<MailEndpointOptions> Named(string prefix, Action<MailEndpointOptions>? endpoint)
    {
        var name = Observer.Endpoint(prefix);
        return o =>
        {
            o.Name = name;
            endpoint?.Invoke(o);
        };
    }

    private TestMailServer<THandler> Keep<THandler>(TestMailServer<THandler> server)
        where THandler : Microsoft.AspNetCore.Connections.ConnectionHandler
    {
        _servers.Add(server);
        _logs.Add(server.Logs);
        return server;
    }
}
