using System.Net;
using MailHost.Accounts;
using MailHost.Hosting;
using MailHost.Imap;
using MailHost.IntegrationTests.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Logins;
using MailHost.Storage.Sqlite.Accounts;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.IntegrationTests.Logins;

/// <summary>
/// A plain-text IMAP endpoint on 127.0.0.1 over either kind of account directory and mail store, for login tests
/// from many loopback addresses: example.com with alice ("alice-pw") and bob ("bob-pw"). Every login-history write
/// goes through a counter. <see cref="RestartAsync"/> starts a new host over the same directory.
/// </summary>
internal sealed class AuthenticationTestServer : IAsyncDisposable
{
    public const string AlicePassword = "alice-pw";
    public const string BobPassword = "bob-pw";

    private readonly TestStoreKind _kind;
    private readonly Action<AuthenticationOptions>? _auth;
    private readonly TempDirectory? _temp;
    private TestStore? _store;

    private AuthenticationTestServer(TestStoreKind kind, Action<AuthenticationOptions>? auth)
    {
        _kind = kind;
        _auth = auth;
        if (kind == TestStoreKind.Sqlite)
        {
            _temp = new TempDirectory();
        }
    }

    public CountingAccountDirectory Directory { get; private set; } = null!;

    public TestMailServer<ImapConnectionHandler> Server { get; private set; } = null!;

    /// <summary>The PBKDF2 derivations of IMAP LOGIN in this host.</summary>
    public long PasswordDerivations => Server.Services.GetRequiredService<PasswordAuthenticator>().PasswordDerivations;

    private string DirectoryPath => System.IO.Path.Combine(_temp!.Path, "directory.db");

    /// <param name="kind">The account directory and mail store to run on.</param>
    /// <param name="auth">Authentication settings on top of: plain text allowed, 4096 iterations.</param>
    /// <param name="aliceIterations">The iteration count of alice's password record.</param>
    public static async Task<AuthenticationTestServer> StartAsync(TestStoreKind kind, Action<AuthenticationOptions>? auth = null, int aliceIterations = PasswordRecord.MinimumIterations)
    {
        var server = new AuthenticationTestServer(kind, auth);
        IAccountDirectory directory;
        if (kind == TestStoreKind.InMemory)
        {
            var memory = new InMemoryAccountDirectory();
            memory.AddDomain("example.com");
            memory.AddAccount("alice", AlicePassword, aliceIterations);
            memory.AddAddress("alice", "alice@example.com");
            memory.AddAccount("bob", BobPassword, PasswordRecord.MinimumIterations);
            memory.AddAddress("bob", "bob@example.com");
            directory = memory;
        }
        else
        {
            var sqlite = await SqliteAccountDirectory.OpenAsync(server.DirectoryPath, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            (await sqlite.AddDomainAsync("example.com", CancellationToken.None)).Succeeded.Should().BeTrue();
            (await sqlite.AddAccountAsync("alice", ["alice@example.com"], PasswordRecord.Create(AlicePassword, aliceIterations), CancellationToken.None)).Succeeded.Should().BeTrue();
            (await sqlite.AddAccountAsync("bob", ["bob@example.com"], PasswordRecord.Create(BobPassword, PasswordRecord.MinimumIterations), CancellationToken.None)).Succeeded.Should().BeTrue();
            directory = sqlite;
        }

        await server.StartHostAsync(directory);
        return server;
    }

    /// <summary>Stops the host and starts a new one over the same directory (for SQLite, a new directory object over the same file).</summary>
    public async Task RestartAsync()
    {
        await StopHostAsync();
        var directory = _kind == TestStoreKind.Sqlite
            ? await SqliteAccountDirectory.OpenAsync(DirectoryPath, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30))
            : Directory.Inner;
        await StartHostAsync(directory);
    }

    /// <summary>A client connected from <paramref name="source"/>, past the greeting.</summary>
    public async Task<LineClient> ConnectFromAsync(string source)
    {
        var client = await LineClient.ConnectFromAsync(Server.EndPoint, IPAddress.Parse(source));
        (await client.ReadLineAsync()).Should().StartWith("* OK [CAPABILITY");
        return client;
    }

    /// <summary>Logs in on a new connection from <paramref name="source"/>; returns the tagged reply.</summary>
    public async Task<string> LoginFromAsync(string source, string login, string password)
    {
        await using var client = await ConnectFromAsync(source);
        return (await client.CommandAsync("a", $"LOGIN {login} \"{password}\"")).Last();
    }

    /// <summary>The login history of an account, oldest first.</summary>
    public async Task<IReadOnlyList<LoginRecord>> HistoryAsync(string account) =>
        Directory.Inner is InMemoryAccountDirectory memory
            ? memory.GetLoginHistory(account)
            : [.. (await ((SqliteAccountDirectory)Directory.Inner).GetRecentLoginsAsync(account, 1000, CancellationToken.None)).Reverse()];

    public async ValueTask DisposeAsync()
    {
        await StopHostAsync();
        _temp?.Dispose();
    }

    private async Task StartHostAsync(IAccountDirectory directory)
    {
        Directory = new CountingAccountDirectory(directory);
        _store = await TestStore.OpenAsync(_kind);
        Server = await TestMailServer<ImapConnectionHandler>.StartAsync(
            o =>
            {
                o.Protocol = MailProtocol.Imap;
                o.Tls = MailTlsMode.None;
            },
            services =>
            {
                services.AddSingleton<IAccountDirectory>(Directory);
                services.AddSingleton(_store.Store);
                services.Configure<AuthenticationOptions>(o =>
                {
                    o.AllowPlaintextAuthentication = true;
                    o.PasswordIterations = PasswordRecord.MinimumIterations;
                    _auth?.Invoke(o);
                });
                services.AddMailHostImap();
            });
    }

    private async Task StopHostAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
            _store = null;
        }
    }
}
