using System.Net;
using BenchmarkDotNet.Attributes;
using MailHost.Accounts;
using MailHost.Logins;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MailHost.Benchmarks;

/// <summary>
/// One IMAP LOGIN with the right password through <see cref="PasswordAuthenticator"/> (resolution, check, login
/// record) over the in-memory directory: cold (the verification cache off, so PBKDF2 runs) and cached (an entry
/// from an earlier login answers), at the old and the new default iteration counts.
/// </summary>
[MemoryDiagnoser]
public class PasswordVerificationBenchmarks
{
    private const string Password = "correct horse battery staple";
    private readonly AuthenticationContext _context = new(AuthenticationContext.Imap, new IPEndPoint(IPAddress.Loopback, 50000), isTls: true);
    private PasswordAuthenticator _cold = null!;
    private PasswordAuthenticator _cached = null!;

    [Params(10_000, 600_000)]
    public int Iterations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cold = Create(TimeSpan.Zero);
        _cached = Create(TimeSpan.FromHours(1));
        if (!_cached.AuthenticateAsync("alice", Password, _context, CancellationToken.None).AsTask().GetAwaiter().GetResult().Succeeded)
        {
            throw new InvalidOperationException("The warm-up login failed.");
        }
    }

    [Benchmark(Baseline = true)]
    public async Task<bool> Cold() => (await _cold.AuthenticateAsync("alice", Password, _context, CancellationToken.None)).Succeeded;

    [Benchmark]
    public async Task<bool> Cached() => (await _cached.AuthenticateAsync("alice", Password, _context, CancellationToken.None)).Succeeded;

    private PasswordAuthenticator Create(TimeSpan cacheLifetime)
    {
        var directory = new InMemoryAccountDirectory();
        directory.AddAccount("alice", Password, Iterations);
        var settings = new AuthenticationOptions { PasswordIterations = Iterations };
        settings.Throttle.Enabled = false;
        settings.VerificationCache.Lifetime = cacheLifetime;
        var options = Options.Create(settings);
        var throttle = new AuthenticationThrottle(options, TimeProvider.System);
        var resolver = new DirectoryAuthIdentityResolver(directory, options, NullLogger<DirectoryAuthIdentityResolver>.Instance);
        return new PasswordAuthenticator(resolver, directory, throttle, options, TimeProvider.System, NullLogger<PasswordAuthenticator>.Instance);
    }
}
