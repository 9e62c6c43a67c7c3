using System.Text;
using MailHost.Accounts;
using MailHost.Logins;
using MailHost.Storage.Sqlite.Accounts;
using MailHost.Tests.Accounts;
using Microsoft.Extensions.Options;

namespace MailHost.Tests.Logins;

/// <summary>
/// Issue 17 item 12: an unknown login's fake SCRAM salt follows the same relations between spellings as a real
/// account's, stays the same across restarts, and reading it costs a counted failure.
/// </summary>
public class ScramLookupKeyTests
{
    // "jörg" with a precomposed ö and with o + U+0308 COMBINING DIAERESIS.
    private const string Composed = "j\u00f6rg";
    private const string Decomposed = "jo\u0308rg";

    [Theory]
    [InlineData(DirectoryKind.InMemory)]
    [InlineData(DirectoryKind.Sqlite)]
    public async Task Every_spelling_of_an_unknown_login_shows_one_salt_as_a_real_account_does(DirectoryKind kind)
    {
        await using var host = await CredentialTestHost.CreateAsync(kind, o => o.Throttle.Enabled = false);
        await host.AddAccountAsync(Composed, Composed + "@example.com", PasswordRecord.Create("x", CredentialTestHost.Iterations));

        static string[] Spellings(string name) => [name, name.ToUpperInvariant(), name + "@example.com", name.ToUpperInvariant() + "@Example.COM."];

        // The relations a real account shows...
        (await SaltsAsync(host, Spellings("alice"))).Distinct().Should().ContainSingle();
        (await SaltsAsync(host, [Composed, Decomposed, Decomposed + "@example.com"])).Distinct().Should().ContainSingle();

        // ...hold for unknown logins too.
        var carol = await SaltsAsync(host, Spellings("carol"));
        carol.Distinct().Should().ContainSingle();
        (await SaltsAsync(host, ["m\u00fcller", "mu\u0308ller", "MU\u0308LLER@example.com"])).Distinct().Should().ContainSingle();

        // Different names, and an address outside the local domains, differ (as alice@elsewhere.example finds no account).
        var others = await SaltsAsync(host, ["dave", "carol@elsewhere.example", "alice@elsewhere.example"]);
        others.Should().OnlyHaveUniqueItems().And.NotContain(carol[0]);
    }

    [Fact]
    public async Task The_fake_salt_survives_a_restart_of_the_host_on_the_same_directory()
    {
        using var temp = new TempDirectory();
        var path = temp.File("directory.db");
        string first;
        {
            await using var host = await CredentialTestHost.CreateAsync(DirectoryKind.Sqlite);
            first = (await SaltsAsync(host, ["carol"]))[0];
            host.Reopen();
            (await SaltsAsync(host, ["carol@example.com"]))[0].Should().Be(first, "a new process over the same directory");
        }

        // Two directory objects over one file (two hosts, or before and after a restart) agree on the secret.
        var one = await SqliteAccountDirectory.OpenAsync(path, null, CancellationToken.None);
        var two = await SqliteAccountDirectory.OpenAsync(path, null, CancellationToken.None);
        var secret = (await one.GetServerSecretAsync(CancellationToken.None))!.Value.ToArray();
        secret.Length.Should().BeGreaterThanOrEqualTo(32);
        (await two.GetServerSecretAsync(CancellationToken.None))!.Value.ToArray().Should().Equal(secret);

        using var otherTemp = new TempDirectory();
        var other = await SqliteAccountDirectory.OpenAsync(otherTemp.File("directory.db"), null, CancellationToken.None);
        (await other.GetServerSecretAsync(CancellationToken.None))!.Value.ToArray().Should().NotEqual(secret);
    }

    [Theory]
    [InlineData(DirectoryKind.InMemory)]
    [InlineData(DirectoryKind.Sqlite)]
    public async Task Cancelling_after_the_server_first_message_is_a_counted_recorded_failure(DirectoryKind kind)
    {
        await using var host = await CredentialTestHost.CreateAsync(kind);
        var counter = new AuthenticationFailureCounter(3);
        var waits = new List<TimeSpan>();
        foreach (var login in new[] { "carol", "carol@example.com", "alice" })
        {
            var client = new ScramClient(login, "x");
            var (result, waited) = await host.RunAsync(host.Sasl.AuthenticateAsync(
                "SCRAM-SHA-256", Encoding.ASCII.GetBytes(ScriptedChannel.B64(client.ClientFirst)), ScriptedChannel.Lines("*"), CredentialTestHost.Context(), host.Ct));
            result.Status.Should().Be(AuthenticationStatus.Cancelled);
            counter.Record(result);
            waits.Add(waited);
        }

        counter.LimitReached.Should().BeTrue("three salts read, three failures: the session closes");
        waits.Should().Equal(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8));
        (await host.HistoryAsync("alice")).Should().ContainSingle().Which.Outcome.Should().Be(LoginOutcome.Failed);
    }

    [Fact]
    public async Task Hanging_up_after_the_server_first_message_is_a_counted_recorded_failure()
    {
        await using var host = await CredentialTestHost.CreateAsync(DirectoryKind.InMemory);
        var client = new ScramClient("alice", "x");
        var hangUp = () => host.Sasl.AuthenticateAsync(
            "SCRAM-SHA-256", Encoding.ASCII.GetBytes(ScriptedChannel.B64(client.ClientFirst)), ScriptedChannel.Lines(), CredentialTestHost.Context(), host.Ct).AsTask();

        await hangUp.Should().ThrowAsync<IOException>();
        (await host.HistoryAsync("alice")).Should().ContainSingle().Which.Outcome.Should().Be(LoginOutcome.Failed);
        host.Throttle.GetDelay(null, "alice").Should().Be(TimeSpan.FromSeconds(2));
    }

    [Theory]
    [InlineData(LoginIdentityMode.AccountNameOrEmailAddress, "carol", "carol")]
    [InlineData(LoginIdentityMode.AccountNameOrEmailAddress, "Carol@Example.COM.", "carol")]
    [InlineData(LoginIdentityMode.AccountNameOrEmailAddress, "mu\u0308ller@example.com", "m\u00fcller")]
    [InlineData(LoginIdentityMode.AccountNameOrEmailAddress, "carol@elsewhere.example", "carol@elsewhere.example")]
    [InlineData(LoginIdentityMode.AccountNameOrEmailAddress, "first.last+tag@example.com", "first.last+tag@example.com")]
    [InlineData(LoginIdentityMode.AccountNameOrEmailAddress, "car ol", "invalid:car ol")]
    [InlineData(LoginIdentityMode.AccountName, "carol@example.com", "address:carol@example.com")]
    [InlineData(LoginIdentityMode.AccountName, "CAROL", "carol")]
    [InlineData(LoginIdentityMode.EmailAddress, "carol", "name:carol")]
    [InlineData(LoginIdentityMode.EmailAddress, "carol@example.com", "carol")]
    public async Task The_lookup_key_mirrors_what_the_resolver_would_find(LoginIdentityMode mode, string login, string expected)
    {
        var directory = new InMemoryAccountDirectory();
        directory.AddDomain("example.com");
        IAuthIdentityResolver resolver = new DirectoryAuthIdentityResolver(
            directory, Options.Create(new AuthenticationOptions { LoginIdentity = mode }), new ListLogger<DirectoryAuthIdentityResolver>());
        var request = new AuthIdentityRequest(login, null, AuthenticationContext.Imap, "SCRAM-SHA-256", null, true);
        (await resolver.GetLookupKeyAsync(request, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5))).Should().Be(expected);
    }

    /// <summary>The salt of the server-first message for each login, cancelling each exchange after it.</summary>
    private static async Task<List<string>> SaltsAsync(CredentialTestHost host, IEnumerable<string> logins)
    {
        var salts = new List<string>();
        foreach (var login in logins)
        {
            var client = new ScramClient(login, "x");
            var channel = ScriptedChannel.Lines("*");
            await host.RunAsync(host.Sasl.AuthenticateAsync(
                "SCRAM-SHA-256", Encoding.ASCII.GetBytes(ScriptedChannel.B64(client.ClientFirst)), channel, CredentialTestHost.Context(), host.Ct));
            var attributes = ScramClient.Attributes(channel.Challenges.Should().ContainSingle().Subject);
            attributes["i"].Should().Be(CredentialTestHost.Iterations.ToString(System.Globalization.CultureInfo.InvariantCulture));
            salts.Add(attributes["s"]);
        }

        return salts;
    }
}
