using System.Net;
using MailHost.Accounts;
using MailHost.Logins;

namespace MailHost.Tests.Logins;

/// <summary>Authenticators over an in-memory directory with a fake clock and collecting loggers.</summary>
internal sealed class AuthTestHost
{
    public const int Iterations = PasswordRecord.MinimumIterations;

    public AuthTestHost(Action<AuthenticationOptions>? configure = null, IAuthIdentityResolver? resolver = null)
    {
        Options = new AuthenticationOptions { PasswordIterations = Iterations };
        configure?.Invoke(Options);
        var options = Microsoft.Extensions.Options.Options.Create(Options);
        Directory.AddDomain("example.com");
        Directory.AddAccount("alice", "correct horse", Iterations);
        Directory.AddAddress("alice", "alice@example.com");
        Directory.AddAlias("alice", "postmaster@example.com");
        Directory.AddAccount("bob", "bob-secret", Iterations);
        Directory.AddAddress("bob", "bob@example.com");
        Throttle = new AuthenticationThrottle(options, Time);
        Resolver = resolver ?? new DirectoryAuthIdentityResolver(Directory, options, ResolverLog);
        Passwords = new PasswordAuthenticator(Resolver, Directory, Throttle, options, Time, PasswordLog);
        Sasl = new SaslAuthenticator(Resolver, Directory, Throttle, options, Time, SaslLog);
    }

    public AuthenticationOptions Options { get; }

    public InMemoryAccountDirectory Directory { get; } = new();

    public FakeTimeProvider Time { get; } = new();

    public AuthenticationThrottle Throttle { get; }

    public IAuthIdentityResolver Resolver { get; }

    public PasswordAuthenticator Passwords { get; }

    public SaslAuthenticator Sasl { get; }

    public ListLogger<DirectoryAuthIdentityResolver> ResolverLog { get; } = new();

    public ListLogger<PasswordAuthenticator> PasswordLog { get; } = new();

    public ListLogger<SaslAuthenticator> SaslLog { get; } = new();

    public static AuthenticationContext Context(string protocol = AuthenticationContext.Imap, string address = "192.0.2.10", bool tls = true) =>
        new(protocol, new IPEndPoint(IPAddress.Parse(address), 50000), tls) { ClientName = "TestClient" };

    /// <summary>Awaits an attempt, advancing the fake clock through any throttle delay; returns the result and the fake time spent.</summary>
    public async Task<(AuthenticationResult Result, TimeSpan Waited)> RunAsync(ValueTask<AuthenticationResult> attempt)
    {
        var task = attempt.AsTask();
        var waited = TimeSpan.Zero;
        for (var i = 0; i < 100 && !task.IsCompleted; i++)
        {
            // The attempt runs synchronously up to its delay (the in-memory directory never yields), so a pending
            // task is waiting on a fake timer.
            await WaitForTimerOrCompletionAsync(task);
            if (task.IsCompleted)
            {
                break;
            }

            var step = Time.NextTimerIn ?? TimeSpan.Zero;
            Time.Advance(step);
            waited += step;
        }

        return (await task.WaitAsync(TimeSpan.FromSeconds(10)), waited);
    }

    private async Task WaitForTimerOrCompletionAsync(Task task)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!task.IsCompleted && Time.PendingTimers == 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The attempt neither completed nor started a delay.");
            }

            await Task.Yield();
        }
    }
}
