using System.Net;
using MailHost.Accounts;
using MailHost.Authentication;
using MailHost.Storage.Sqlite.Accounts;
using MailHost.Tests.Accounts;

namespace MailHost.Tests.Authentication;

/// <summary>Which account directory a <see cref="CredentialTestHost"/> runs on.</summary>
public enum DirectoryKind
{
    InMemory,
    Sqlite,
}

/// <summary>
/// Authenticators over either account directory (in memory or SQLite), with a fake clock: example.com with alice
/// (alice@example.com, alias postmaster@example.com) and bob, both with the password records the test gives.
/// </summary>
internal sealed class CredentialTestHost : IAsyncDisposable
{
    public const int Iterations = PasswordRecord.MinimumIterations;

    private readonly TempDirectory? _temp;
    private readonly InMemoryAccountDirectory? _memory;
    private readonly SqliteAccountDirectory? _sqlite;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    private CredentialTestHost(DirectoryKind kind, AuthenticationOptions options)
    {
        Options = options;
        if (kind == DirectoryKind.InMemory)
        {
            _memory = new InMemoryAccountDirectory();
            Directory = _memory;
        }
        else
        {
            _temp = new TempDirectory();
            _sqlite = new SqliteAccountDirectory(_temp.File("directory.db"), null, Time);
            Directory = _sqlite;
        }

        Reopen();
    }

    public AuthenticationOptions Options { get; }

    public IAccountDirectory Directory { get; }

    public FakeTimeProvider Time { get; } = new();

    public AuthenticationThrottle Throttle { get; private set; } = null!;

    public PasswordAuthenticator Passwords { get; private set; } = null!;

    public SaslAuthenticator Sasl { get; private set; } = null!;

    public ListLogger<PasswordAuthenticator> PasswordLog { get; } = new();

    public ListLogger<SaslAuthenticator> SaslLog { get; } = new();

    public ListLogger<AuthenticationThrottle> ThrottleLog { get; } = new();

    public CancellationToken Ct => _timeout.Token;

    /// <summary>A host whose accounts have passwords "alice-pw" and "bob-pw" at <paramref name="aliceIterations"/> and <see cref="Iterations"/>.</summary>
    public static async Task<CredentialTestHost> CreateAsync(
        DirectoryKind kind, Action<AuthenticationOptions>? configure = null, int aliceIterations = Iterations)
    {
        var options = new AuthenticationOptions { PasswordIterations = Iterations };
        configure?.Invoke(options);
        var host = new CredentialTestHost(kind, options);
        await host.AddAccountAsync("alice", "alice@example.com", PasswordRecord.Create("alice-pw", aliceIterations));
        await host.AddAccountAsync("bob", "bob@example.com", PasswordRecord.Create("bob-pw", Iterations));
        if (host._memory is not null)
        {
            host._memory.AddAlias("alice", "postmaster@example.com");
        }
        else
        {
            (await host._sqlite!.AddAliasAsync("postmaster@example.com", "alice", host.Ct)).Succeeded.Should().BeTrue();
        }

        return host;
    }

    public static AuthenticationContext Context(string address = "192.0.2.10", string protocol = AuthenticationContext.Imap) =>
        new(protocol, new IPEndPoint(IPAddress.Parse(address), 50000), true);

    /// <summary>New authenticators and throttle over the same directory, as after a restart of the host.</summary>
    public void Reopen()
    {
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        Throttle = new AuthenticationThrottle(options, Time, ThrottleLog);
        var resolver = new DirectoryAuthIdentityResolver(Directory, options, new ListLogger<DirectoryAuthIdentityResolver>());
        Passwords = new PasswordAuthenticator(resolver, Directory, Throttle, options, Time, PasswordLog);
        Sasl = new SaslAuthenticator(resolver, Directory, Throttle, options, Time, SaslLog);
    }

    public async Task AddAccountAsync(string name, string address, PasswordRecord? record)
    {
        if (_memory is not null)
        {
            _memory.AddDomain("example.com");
            _memory.AddAccount(name);
            _memory.AddAddress(name, address);
            _memory.SetPasswordRecord(name, record);
            return;
        }

        await _sqlite!.AddDomainAsync("example.com", Ct);
        var added = await _sqlite.AddAccountAsync(name, [address], record, Ct);
        added.Succeeded.Should().BeTrue(added.Message);
    }

    /// <summary>What <c>users passwd</c> does.</summary>
    public async Task SetPasswordAsync(string name, string password)
    {
        var record = PasswordRecord.Create(password, Iterations);
        if (_memory is not null)
        {
            _memory.SetPasswordRecord(name, record);
        }
        else
        {
            (await _sqlite!.SetPasswordAsync(name, record, Ct)).Succeeded.Should().BeTrue();
        }
    }

    public async Task<PasswordRecord> GetRecordAsync(string name) =>
        (await Directory.GetPasswordRecordAsync(name, Ct)) ?? throw new InvalidOperationException("No record for " + name);

    /// <summary>The login history of an account, oldest first.</summary>
    public async Task<IReadOnlyList<LoginRecord>> HistoryAsync(string name) =>
        _memory is not null
            ? _memory.GetLoginHistory(name)
            : [.. (await _sqlite!.GetRecentLoginsAsync(name, 1000, Ct)).Reverse()];

    public Task<(AuthenticationResult Result, TimeSpan Waited)> LoginAsync(string login, string password, AuthenticationContext? context = null) =>
        RunAsync(Passwords.AuthenticateAsync(login, password, context ?? Context(), Ct));

    /// <summary>Awaits an attempt, advancing the fake clock through any throttle delay; returns the result and the fake time spent.</summary>
    public async Task<(AuthenticationResult Result, TimeSpan Waited)> RunAsync(ValueTask<AuthenticationResult> attempt)
    {
        var task = attempt.AsTask();
        var waited = TimeSpan.Zero;
        while (!task.IsCompleted)
        {
            // SQLite calls complete on other threads: wait until the attempt either ends or sleeps on the fake clock.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!task.IsCompleted && Time.PendingTimers == 0)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("The attempt neither completed nor started a delay.");
                }

                await Task.Delay(1);
            }

            if (task.IsCompleted)
            {
                break;
            }

            var step = Time.NextTimerIn ?? TimeSpan.Zero;
            Time.Advance(step);
            waited += step;
        }

        return (await task.WaitAsync(TimeSpan.FromSeconds(30)), waited);
    }

    public ValueTask DisposeAsync()
    {
        _timeout.Dispose();
        _temp?.Dispose();
        return ValueTask.CompletedTask;
    }
}
