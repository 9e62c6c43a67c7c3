using System.Text;
using MailHost.Accounts;
using MailHost.Logins;
using MailHost.Storage;
using MailHost.Storage.InMemory;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.IntegrationTests.Infrastructure;

/// <summary>
/// Accounts and mail for protocol tests: example.com with alice (password "alice-pw", address alice@example.com)
/// and bob, a store (in memory unless another is given), and authentication without throttle delays.
/// </summary>
public sealed class MailWorld
{
    private readonly IMailStore? _mailStore;

    public const string AlicePassword = "alice-pw";
    public const string BobPassword = "bob-pw";

    public MailWorld(IMailStore? store = null)
    {
        _mailStore = store;
        Directory.AddDomain("example.com");
        Directory.AddAccount("alice", AlicePassword, PasswordRecord.MinimumIterations);
        Directory.AddAddress("alice", "alice@example.com");
        Directory.AddAccount("bob", BobPassword, PasswordRecord.MinimumIterations);
        Directory.AddAddress("bob", "bob@example.com");
    }

    public InMemoryAccountDirectory Directory { get; } = new();

    public InMemoryMailStore Store { get; } = new();

    /// <summary>The store the servers of this world use: the one given, or <see cref="Store"/>.</summary>
    public IMailStore MailStore => _mailStore ?? Store;

    /// <summary>Registers the directory, the store and authentication options for a test server.</summary>
    public void Register(IServiceCollection services, bool allowPlaintext = false)
    {
        services.AddSingleton<IAccountDirectory>(Directory);
        services.AddSingleton(MailStore);
        services.Configure<AuthenticationOptions>(o =>
        {
            o.AllowPlaintextAuthentication = allowPlaintext;
            o.PasswordIterations = PasswordRecord.MinimumIterations;
            o.Throttle.Enabled = false;
        });
    }

    /// <summary>Delivers a message to an account's INBOX and returns its stored bytes.</summary>
    public async Task<byte[]> DeliverAsync(string account, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\r\n"));
        using var stream = new MemoryStream(bytes);
        var result = await MailStore.DeliverAsync(stream, [new DeliveryTarget(account)], CancellationToken.None);
        result.IsSuccess.Should().BeTrue(result.Error?.Message);
        return bytes;
    }

    public static string Message(int n, string body = "Hello") =>
        $"From: bob@example.com\nTo: alice@example.com\nSubject: Message {n}\nMessage-ID: <m{n}@example.com>\nDate: Sat, 28 Nov 2026 10:00:00 +0000\n\n{body}\n";
}
