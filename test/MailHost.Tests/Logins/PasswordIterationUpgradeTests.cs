using MailHost.Accounts;
using MailHost.Logins;

namespace MailHost.Tests.Logins;

/// <summary>Issue 17 item 5: 600,000 PBKDF2 iterations for new records, old records verified and re-derived at login.</summary>
public class PasswordIterationUpgradeTests
{
    private const int OldIterations = 10_000;

    [Fact]
    public void New_records_get_600000_iterations_by_default()
    {
        PasswordRecord.DefaultIterations.Should().Be(600_000);
        new AuthenticationOptions().PasswordIterations.Should().Be(600_000);
        PasswordRecord.Create("correct horse").Iterations.Should().Be(600_000);
    }

    [Theory]
    [InlineData(DirectoryKind.InMemory)]
    [InlineData(DirectoryKind.Sqlite)]
    public async Task An_old_10000_iteration_record_verifies_and_is_re_derived_at_the_default_after_login(DirectoryKind kind)
    {
        await using var host = await CredentialTestHost.CreateAsync(
            kind, o => o.PasswordIterations = PasswordRecord.DefaultIterations, aliceIterations: OldIterations);
        var old = await host.GetRecordAsync("alice");
        old.Iterations.Should().Be(OldIterations);

        var (result, _) = await host.LoginAsync("alice", "alice-pw");

        result.Succeeded.Should().BeTrue();
        var upgraded = await host.GetRecordAsync("alice");
        upgraded.Iterations.Should().Be(PasswordRecord.DefaultIterations);
        upgraded.Salt.ToArray().Should().NotEqual(old.Salt.ToArray(), "a re-derivation takes a fresh salt");
        upgraded.Verify("alice-pw").Should().BeTrue();
        upgraded.Verify("wrong").Should().BeFalse();

        // The next login (after the cache has forgotten it) checks the new record.
        host.Time.Advance(host.Options.VerificationCache.Lifetime);
        (await host.LoginAsync("alice@example.com", "alice-pw")).Result.Succeeded.Should().BeTrue();
        (await host.GetRecordAsync("alice")).ToString().Should().Be(upgraded.ToString());
    }

    [Theory]
    [InlineData(DirectoryKind.InMemory)]
    [InlineData(DirectoryKind.Sqlite)]
    public async Task A_wrong_password_leaves_an_old_record_alone_and_costs_the_configured_work(DirectoryKind kind)
    {
        await using var host = await CredentialTestHost.CreateAsync(kind, o => o.PasswordIterations = 8192, aliceIterations: 4096);
        var old = (await host.GetRecordAsync("alice")).ToString();

        var (result, _) = await host.LoginAsync("alice", "wrong");

        result.Status.Should().Be(AuthenticationStatus.InvalidCredentials);
        (await host.GetRecordAsync("alice")).ToString().Should().Be(old);

        // The 4096-iteration check plus 4096 more: an old record must not answer faster than an unknown login,
        // which is checked against a dummy record of the configured count.
        host.Passwords.PasswordDerivations.Should().Be(2);
    }

    [Theory]
    [InlineData(DirectoryKind.InMemory)]
    [InlineData(DirectoryKind.Sqlite)]
    public async Task A_record_with_the_configured_count_or_more_is_never_rewritten(DirectoryKind kind)
    {
        await using var host = await CredentialTestHost.CreateAsync(kind, o => o.PasswordIterations = 4096, aliceIterations: 8192);
        var before = (await host.GetRecordAsync("alice")).ToString();
        (await host.LoginAsync("alice", "alice-pw")).Result.Succeeded.Should().BeTrue();
        (await host.GetRecordAsync("alice")).ToString().Should().Be(before);
        host.Passwords.PasswordDerivations.Should().Be(1);
    }

    [Theory]
    [InlineData(DirectoryKind.InMemory)]
    [InlineData(DirectoryKind.Sqlite)]
    public async Task A_re_derivation_never_undoes_a_password_changed_meanwhile(DirectoryKind kind)
    {
        await using var host = await CredentialTestHost.CreateAsync(kind);
        var checkedRecord = await host.GetRecordAsync("alice");
        await host.SetPasswordAsync("alice", "changed-pw");
        var changed = (await host.GetRecordAsync("alice")).ToString();

        var replaced = await host.Directory.ReplacePasswordRecordAsync("alice", checkedRecord, PasswordRecord.Create("alice-pw", 8192), host.Ct);

        replaced.Should().BeFalse();
        (await host.GetRecordAsync("alice")).ToString().Should().Be(changed);
        (await host.Directory.ReplacePasswordRecordAsync("nobody", checkedRecord, checkedRecord, host.Ct)).Should().BeFalse();
    }

    [Theory]
    [InlineData(DirectoryKind.InMemory)]
    [InlineData(DirectoryKind.Sqlite)]
    public async Task Scram_clients_get_the_stored_count_before_and_after_the_upgrade(DirectoryKind kind)
    {
        await using var host = await CredentialTestHost.CreateAsync(kind, o => o.PasswordIterations = 8192, aliceIterations: 4096);

        (await ScramAsync(host, "alice", "alice-pw")).Should().Be("4096");
        (await host.LoginAsync("alice", "alice-pw")).Result.Succeeded.Should().BeTrue();

        // The SCRAM keys live in the same record, so they were re-derived with it.
        (await ScramAsync(host, "alice", "alice-pw")).Should().Be("8192");
    }

    [Fact]
    public async Task A_directory_that_cannot_write_keeps_the_old_record_and_the_login_succeeds()
    {
        await using var host = await CredentialTestHost.CreateAsync(DirectoryKind.InMemory, o => o.PasswordIterations = 8192, aliceIterations: 4096);
        var readOnly = new ReadOnlyDirectory(host.Directory);
        var options = Microsoft.Extensions.Options.Options.Create(host.Options);
        var resolver = new DirectoryAuthIdentityResolver(readOnly, options, new ListLogger<DirectoryAuthIdentityResolver>());
        var passwords = new PasswordAuthenticator(resolver, readOnly, host.Throttle, options, host.Time, host.PasswordLog);

        var (result, _) = await host.RunAsync(passwords.AuthenticateAsync("alice", "alice-pw", CredentialTestHost.Context(), host.Ct));

        result.Succeeded.Should().BeTrue();
        (await host.GetRecordAsync("alice")).Iterations.Should().Be(4096);
    }

    /// <summary>Runs a SCRAM-SHA-256 exchange; returns the iteration count of the server-first message.</summary>
    private static async Task<string> ScramAsync(CredentialTestHost host, string login, string password)
    {
        var client = new ScramClient(login, password);
        var channel = new ScriptedChannel(client.Respond);
        var (result, _) = await host.RunAsync(host.Sasl.AuthenticateAsync(
            "SCRAM-SHA-256", System.Text.Encoding.ASCII.GetBytes(ScriptedChannel.B64(client.ClientFirst)), channel, CredentialTestHost.Context(), host.Ct));
        result.Succeeded.Should().BeTrue();
        client.ServerVerified.Should().BeTrue();
        return ScramClient.Attributes(channel.Challenges[0])["i"];
    }

    /// <summary>A third-party directory that only implements the required members (no re-derivation).</summary>
    private sealed class ReadOnlyDirectory(IAccountDirectory inner) : IAccountDirectory
    {
        public ValueTask<AccountInfo?> FindByNameAsync(string accountName, CancellationToken cancellationToken) => inner.FindByNameAsync(accountName, cancellationToken);

        public ValueTask<AccountInfo?> FindByAddressAsync(string address, CancellationToken cancellationToken) => inner.FindByAddressAsync(address, cancellationToken);

        public ValueTask<PasswordRecord?> GetPasswordRecordAsync(string accountName, CancellationToken cancellationToken) => inner.GetPasswordRecordAsync(accountName, cancellationToken);

        public ValueTask<bool> IsLocalDomainAsync(string domain, CancellationToken cancellationToken) => inner.IsLocalDomainAsync(domain, cancellationToken);

        public ValueTask RecordLoginAsync(LoginRecord record, CancellationToken cancellationToken) => inner.RecordLoginAsync(record, cancellationToken);
    }
}
