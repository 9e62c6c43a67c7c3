using MailHost.Accounts;
using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Logins;

/// <summary>
/// Issue 17 item 5, over real sockets: an account made with the old 10,000 iterations logs in with IMAP LOGIN and
/// leaves with a 600,000-iteration record; its next logins are answered from the verification cache.
/// </summary>
public class PasswordUpgradeTests
{
    [Theory]
    [InlineData(TestStoreKind.InMemory)]
    [InlineData(TestStoreKind.Sqlite)]
    public async Task An_old_record_is_re_derived_at_the_first_login_and_later_logins_skip_PBKDF2(TestStoreKind kind)
    {
        await using var server = await AuthenticationTestServer.StartAsync(
            kind, o => o.PasswordIterations = PasswordRecord.DefaultIterations, aliceIterations: 10_000);

        (await server.LoginFromAsync("127.0.0.20", "alice", AuthenticationTestServer.AlicePassword)).Should().StartWith("a OK");
        var record = await server.Directory.GetPasswordRecordAsync("alice", CancellationToken.None);
        record!.Iterations.Should().Be(600_000);
        record.Verify(AuthenticationTestServer.AlicePassword).Should().BeTrue();
        var derivations = server.PasswordDerivations;

        // A mail client opening more connections: the cache answers, PBKDF2 does not run again.
        for (var i = 0; i < 3; i++)
        {
            (await server.LoginFromAsync("127.0.0.20", "alice@example.com", AuthenticationTestServer.AlicePassword)).Should().StartWith("a OK");
        }

        server.PasswordDerivations.Should().Be(derivations);
        (await server.LoginFromAsync("127.0.0.21", "alice", "wrong")).Should().StartWith("a NO [AUTHENTICATIONFAILED]");
        server.PasswordDerivations.Should().Be(derivations + 1);
    }
}
