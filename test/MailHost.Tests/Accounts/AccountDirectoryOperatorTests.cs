using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using MailHost.Accounts;
using MailHost.Accounts.Sql;
using MailHost.Storage.InMemory;
using MailHost.TestSupport;

namespace MailHost.Tests.Accounts;

/// <summary><see cref="IAdministrationDirectory"/>: administrators, TOTP state, API keys and the audit log.</summary>
public abstract class AccountDirectoryOperatorTests : DirectoryTestBase
{
    private static readonly byte[] TotpKey = [.. Enumerable.Range(1, 20).Select(i => (byte)i)];

    [StoreFact]
    public async Task The_administrator_role_is_granted_and_revoked_and_refused_for_an_unknown_or_invalid_account()
    {
        var directory = await OpenWithAliceAsync();
        (await directory.IsAdministratorAsync("alice", Ct)).Should().BeFalse("a new account is no administrator");
        (await directory.GetAccountAsync("alice", 0, Ct))!.IsAdministrator.Should().BeFalse();

        (await directory.SetAdministratorAsync("ALICE", true, Ct)).Should().Be(AccountAdministrationResult.Success("Account 'alice' is an administrator."));
        (await directory.SetAdministratorAsync("alice", true, Ct)).Succeeded.Should().BeTrue("granting twice is no error");

        (await directory.IsAdministratorAsync("Alice", Ct)).Should().BeTrue();
        (await (await OpenAsync()).IsAdministratorAsync("alice", Ct)).Should().BeTrue("another instance (another host) sees it");
        (await directory.GetAccountAsync("alice", 0, Ct))!.IsAdministrator.Should().BeTrue();
        (await directory.SetAdministratorAsync("bob", true, Ct)).Should().Be(new AccountAdministrationResult(
            AccountAdministrationError.UnknownAccount, "There is no account 'bob'."));
        (await directory.SetAdministratorAsync("bad name", true, Ct)).Error.Should().Be(AccountAdministrationError.InvalidName);
        (await directory.IsAdministratorAsync("bob", Ct)).Should().BeFalse();
        (await directory.IsAdministratorAsync("bad name", Ct)).Should().BeFalse();

        (await directory.SetAdministratorAsync("alice", false, Ct)).Should().Be(AccountAdministrationResult.Success("Account 'alice' is no longer an administrator."));
        (await directory.IsAdministratorAsync("alice", Ct)).Should().BeFalse();
        (await directory.GetAccountAsync("alice", 0, Ct))!.IsAdministrator.Should().BeFalse();
    }

    [StoreFact]
    public async Task A_disabled_administrator_keeps_the_role_but_is_not_an_administrator_until_enabled()
    {
        var directory = await OpenWithAliceAsync();
        await directory.SetAdministratorAsync("alice", true, Ct);

        await directory.SetDisabledAsync("alice", true, Ct);

        (await directory.IsAdministratorAsync("alice", Ct)).Should().BeFalse("a console session must end when its account is disabled");
        (await directory.GetAccountAsync("alice", 0, Ct))!.IsAdministrator.Should().BeTrue("the role itself is kept");
        await directory.SetDisabledAsync("alice", false, Ct);
        (await directory.IsAdministratorAsync("alice", Ct)).Should().BeTrue();
    }

    [StoreFact]
    public async Task A_totp_key_is_set_read_back_and_cleared()
    {
        var directory = await OpenWithAliceAsync();
        (await directory.GetTotpSecretAsync("alice", Ct)).Should().BeNull();
        var key = TotpKey.ToArray();

        var set = await directory.SetTotpSecretAsync("Alice", key, Ct);
        key[0] = 0xFF;

        set.Should().Be(AccountAdministrationResult.Success("TOTP of account 'alice' set up with a new key."));
        set.Message.Should().NotContain(Convert.ToHexString(TotpKey));
        (await directory.GetTotpSecretAsync("alice", Ct)).Should().Equal(TotpKey, "the directory stored its own copy");
        (await directory.GetAccountAsync("alice", 0, Ct))!.HasTotp.Should().BeTrue();

        (await directory.SetTotpSecretAsync("alice", null, Ct)).Should().Be(AccountAdministrationResult.Success("TOTP of account 'alice' turned off."));
        (await directory.GetTotpSecretAsync("alice", Ct)).Should().BeNull();
        (await directory.GetAccountAsync("alice", 0, Ct))!.HasTotp.Should().BeFalse();

        (await directory.SetTotpSecretAsync("bob", TotpKey, Ct)).Error.Should().Be(AccountAdministrationError.UnknownAccount);
        (await directory.SetTotpSecretAsync("no body", TotpKey, Ct)).Error.Should().Be(AccountAdministrationError.InvalidName);
        (await directory.GetTotpSecretAsync("bob", Ct)).Should().BeNull();
        (await directory.GetTotpSecretAsync("no body", Ct)).Should().BeNull();
    }

    [StoreTheory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(65)]
    public async Task A_totp_key_of_a_length_no_app_uses_is_a_programming_error(int length)
    {
        var directory = await OpenWithAliceAsync();

        var set = async () => await directory.SetTotpSecretAsync("alice", new byte[length], Ct);

        (await set.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("secret");
        (await directory.GetTotpSecretAsync("alice", Ct)).Should().BeNull();
    }

    [StoreFact]
    public async Task A_totp_time_step_is_accepted_once_and_never_an_older_one_after_it()
    {
        var directory = await OpenWithAliceAsync();
        (await directory.TryUseTotpStepAsync("alice", 1000, Ct)).Should().BeFalse("TOTP is off: no code is right");
        await directory.SetTotpSecretAsync("alice", TotpKey, Ct);

        (await directory.TryUseTotpStepAsync("alice", 1000, Ct)).Should().BeTrue();
        (await directory.TryUseTotpStepAsync("ALICE", 1000, Ct)).Should().BeFalse("the same code again is a replay (RFC 6238 §5.2)");
        (await (await OpenAsync()).TryUseTotpStepAsync("alice", 1000, Ct)).Should().BeFalse("also on another host");
        (await directory.TryUseTotpStepAsync("alice", 999, Ct)).Should().BeFalse("an older code after a newer one");
        (await directory.TryUseTotpStepAsync("alice", 1001, Ct)).Should().BeTrue();
        (await directory.TryUseTotpStepAsync("bob", 5000, Ct)).Should().BeFalse();
        (await directory.TryUseTotpStepAsync("no body", 5000, Ct)).Should().BeFalse();

        await directory.SetTotpSecretAsync("alice", TotpKey, Ct);
        (await directory.TryUseTotpStepAsync("alice", 1001, Ct)).Should().BeTrue("a new key starts a new record of used steps");

        var negative = async () => await directory.TryUseTotpStepAsync("alice", -1, Ct);
        await negative.Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [StoreFact]
    public async Task Of_logins_racing_with_one_code_on_several_hosts_exactly_one_is_accepted()
    {
        var first = await OpenWithAliceAsync();
        await first.SetTotpSecretAsync("alice", TotpKey, Ct);
        var hosts = new[] { first, await OpenAsync(), await OpenAsync() };

        var accepted = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => hosts[i % hosts.Length].TryUseTotpStepAsync("alice", 7777, Ct).AsTask()));

        accepted.Count(a => a).Should().Be(1);
    }

    [StoreFact]
    public async Task Removing_an_account_removes_its_role_and_totp_key_so_a_new_account_of_the_name_has_neither()
    {
        var directory = await OpenWithAliceAsync(new InMemoryMailStore());
        await directory.SetAdministratorAsync("alice", true, Ct);
        await directory.SetTotpSecretAsync("alice", TotpKey, Ct);
        await directory.TryUseTotpStepAsync("alice", 1000, Ct);
        await directory.AppendAuditAsync(new AuditEntry(Time.GetUtcNow(), "cli:root", null, AuditActions.AccountRemove, "alice", null), Ct);

        (await directory.RemoveAccountAsync("alice", Ct)).Succeeded.Should().BeTrue();
        (await directory.AddAccountAsync("alice", [], null, Ct)).Succeeded.Should().BeTrue();

        var details = await directory.GetAccountAsync("alice", 0, Ct);
        details!.IsAdministrator.Should().BeFalse();
        details.HasTotp.Should().BeFalse();
        (await directory.GetTotpSecretAsync("alice", Ct)).Should().BeNull();
        (await directory.GetAuditAsync(10, Ct)).Should().ContainSingle(e => e.Target == "alice", "the audit log outlives the account");
    }

    [StoreFact]
    public async Task An_api_key_is_created_with_a_token_shown_once_and_only_the_hash_of_its_secret_is_stored()
    {
        var directory = await OpenAsync();

        var created = await directory.CreateApiKeyAsync("deploy script", ApiKeyScope.Full, "cli:root", Ct);

        created.Token.Should().MatchRegex("^mhk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$");
        created.Key.Should().Be(new ApiKeyInfo(created.Token[4..16], "deploy script", ApiKeyScope.Full, "cli:root", Time.GetUtcNow(), null, false));
        var secret = Base64Url.DecodeFromChars(created.Token.AsSpan(17));
        secret.Should().HaveCount(32);
        var stored = await QueryScalarAsync($"SELECT count(*) FROM api_keys WHERE id = '{created.Key.Id}' AND secret_hash = {HexLiteral(SHA256.HashData(secret))};");
        Convert.ToInt64(stored, CultureInfo.InvariantCulture).Should().Be(1, "the row holds the SHA-256 of the secret");
        (await directory.VerifyApiKeyAsync(created.Token, Ct)).Should().NotBeNull();
        var other = await directory.CreateApiKeyAsync("other", ApiKeyScope.ReadOnly, "cli:root", Ct);
        other.Key.Id.Should().NotBe(created.Key.Id);
        other.Token.Should().NotBe(created.Token);
    }

    [StoreFact]
    public async Task An_api_key_verifies_with_its_token_only()
    {
        var directory = await OpenAsync();
        var created = await directory.CreateApiKeyAsync("monitoring", ApiKeyScope.ReadOnly, "alice", Ct);
        var token = created.Token;

        var verified = await (await OpenAsync()).VerifyApiKeyAsync(token, Ct);

        verified.Should().Be(created.Key with { LastUsed = Time.GetUtcNow() });
        var lastSecretChar = token[^2] == 'A' ? 'B' : 'A';
        (await directory.VerifyApiKeyAsync(token[..^2] + lastSecretChar + token[^1], Ct)).Should().BeNull("a wrong secret");
        (await directory.VerifyApiKeyAsync(token[..17] + new string('A', 42) + "A", Ct)).Should().BeNull("a wrong secret");
        (await directory.VerifyApiKeyAsync("mhk_000000000000_" + token[17..], Ct)).Should().BeNull("an unknown key");
        (await directory.VerifyApiKeyAsync(created.Key.Id, Ct)).Should().BeNull("the id alone");
    }

    [StoreTheory]
    [InlineData("")]
    [InlineData("mhk_")]
    [InlineData("Bearer {token}")]
    [InlineData(" {token}")]
    [InlineData("{token} ")]
    [InlineData("{token}=")]
    [InlineData("{token}A")]
    [InlineData("MHK_{rest}")]
    [InlineData("mhk-{rest}")]
    [InlineData("{upper-id}")]
    [InlineData("{id-dash}")]
    [InlineData("{secret-plus}")]
    [InlineData("{secret-last-bits}")]
    [InlineData("{secret-short}")]
    public async Task A_malformed_token_is_refused_without_a_lookup(string form)
    {
        var directory = await OpenAsync();
        var token = (await directory.CreateApiKeyAsync("k", ApiKeyScope.Full, "cli:root", Ct)).Token;
        var id = token[4..16];
        var secret = token[17..];

        var presented = form switch
        {
            "{upper-id}" => "mhk_" + id.ToUpperInvariant() + "_" + secret,
            "{id-dash}" => "mhk_" + id + "-" + secret,
            "{secret-plus}" => "mhk_" + id + "_" + secret.Replace('-', '+').Replace('_', '/')[..^1] + "+",
            // 32 bytes in 43 characters leave 2 bits over: set, they spell the same secret another way.
            "{secret-last-bits}" => token[..^1] + Base64UrlWithLowBitsSet(token[^1]),
            "{secret-short}" => token[..^1],
            _ => form.Replace("{token}", token, StringComparison.Ordinal).Replace("{rest}", token[4..], StringComparison.Ordinal),
        };

        (await directory.VerifyApiKeyAsync(presented, Ct)).Should().BeNull();
        (await directory.VerifyApiKeyAsync(token, Ct)).Should().NotBeNull("the real token still works");
    }

    [StoreFact]
    public async Task A_revoked_api_key_is_refused_and_listed_as_revoked_newest_first()
    {
        var directory = await OpenAsync();
        var first = await directory.CreateApiKeyAsync("first", ApiKeyScope.Full, "cli:root", Ct);
        Time.Advance(TimeSpan.FromSeconds(1));
        var second = await directory.CreateApiKeyAsync("zweiter Schlüssel 🔑", ApiKeyScope.ReadOnly, "alice", Ct);

        (await directory.RevokeApiKeyAsync(first.Key.Id.ToUpperInvariant(), Ct)).Should().BeTrue();

        (await directory.RevokeApiKeyAsync(first.Key.Id, Ct)).Should().BeFalse("already revoked");
        (await directory.RevokeApiKeyAsync("000000000000", Ct)).Should().BeFalse("no such key");
        (await directory.RevokeApiKeyAsync("not an id", Ct)).Should().BeFalse();
        (await directory.VerifyApiKeyAsync(first.Token, Ct)).Should().BeNull();
        (await directory.VerifyApiKeyAsync(second.Token, Ct)).Should().NotBeNull();
        (await directory.ListApiKeysAsync(Ct)).Should().Equal(
            second.Key with { LastUsed = Time.GetUtcNow() },
            first.Key with { Revoked = true });
    }

    [StoreTheory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("tab\there")]
    [InlineData("escape\u001b[2J")]
    [InlineData("bidi\u202Eoverride")]
    [InlineData("{lone surrogate}")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345")]
    public async Task An_api_key_name_that_is_empty_too_long_or_unprintable_is_refused(string name)
    {
        var directory = await OpenAsync();

        // A lone surrogate does not survive xUnit's serialisation of the row: made here.
        name = name.Replace("{lone surrogate}", "lone \uD800 surrogate", StringComparison.Ordinal);

        var create = async () => await directory.CreateApiKeyAsync(name, ApiKeyScope.Full, "cli:root", Ct);

        (await create.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("name");
        (await directory.ListApiKeysAsync(Ct)).Should().BeEmpty();
    }

    [StoreFact]
    public async Task An_api_key_records_its_use_at_most_once_a_minute()
    {
        var directory = await OpenAsync();
        var created = await directory.CreateApiKeyAsync("poller", ApiKeyScope.ReadOnly, "cli:root", Ct);
        var start = Time.GetUtcNow();

        (await directory.VerifyApiKeyAsync(created.Token, Ct))!.LastUsed.Should().Be(start);
        Time.Advance(TimeSpan.FromSeconds(59));
        (await directory.VerifyApiKeyAsync(created.Token, Ct))!.LastUsed.Should().Be(start, "the last minute's use is recorded already");
        (await directory.ListApiKeysAsync(Ct)).Single().LastUsed.Should().Be(start);
        Time.Advance(TimeSpan.FromSeconds(1));
        (await directory.VerifyApiKeyAsync(created.Token, Ct))!.LastUsed.Should().Be(start.AddMinutes(1));
        (await directory.ListApiKeysAsync(Ct)).Single().LastUsed.Should().Be(start.AddMinutes(1));
    }

    [StoreFact]
    public async Task Audit_entries_are_read_back_newest_first_with_their_fields()
    {
        var directory = await OpenAsync();
        var entries = new[]
        {
            new AuditEntry(Time.GetUtcNow(), "cli:root", null, AuditActions.DomainCreate, "example.com", null),
            new AuditEntry(Time.GetUtcNow().AddSeconds(1), "alice", "192.0.2.7", AuditActions.AccountCreate, "bob", "addresses: bob@example.com"),
            new AuditEntry(Time.GetUtcNow().AddSeconds(2), "apikey:0123456789ab", "2001:db8::1", AuditActions.AccountAdminGrant, "bob", null),
        };
        foreach (var entry in entries)
        {
            await directory.AppendAuditAsync(entry, Ct);
        }

        (await directory.GetAuditAsync(10, Ct)).Should().Equal(entries.AsEnumerable().Reverse());
        (await (await OpenAsync()).GetAuditAsync(2, Ct)).Should().Equal(entries[2], entries[1]);
        (await directory.GetAuditAsync(0, Ct)).Should().BeEmpty();
        var negative = async () => await directory.GetAuditAsync(-1, Ct);
        await negative.Should().ThrowAsync<ArgumentOutOfRangeException>();
        var nullEntry = async () => await directory.AppendAuditAsync(null!, Ct);
        await nullEntry.Should().ThrowAsync<ArgumentNullException>();
    }

    [StoreFact]
    public async Task Audit_text_is_clipped_to_bounded_lengths_without_splitting_a_character()
    {
        var directory = await OpenAsync();
        var actor = new string('a', 319) + "😀" + "tail";

        await directory.AppendAuditAsync(new AuditEntry(Time.GetUtcNow(), actor, new string('1', 100), new string('x', 100), new string('t', 500), new string('d', 5000)), Ct);

        var stored = (await directory.GetAuditAsync(1, Ct)).Single();
        stored.Actor.Should().Be(new string('a', 319), "half of the emoji would not be text");
        stored.Action.Should().HaveLength(64);
        stored.Target.Should().HaveLength(320);
        stored.Detail.Should().HaveLength(1000);
        stored.RemoteAddress.Should().HaveLength(64);
    }

    [StoreFact]
    public async Task The_audit_log_keeps_the_newest_entries_and_trims_the_oldest_in_one_ranged_delete()
    {
        var directory = await OpenAsync();
        const int Seeded = SqlAccountDirectory.AuditLogSize + 98;
        await ExecuteSqlAsync($"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {Seeded})
            INSERT INTO audit_log (time, actor, action, target) SELECT i, 'seed', 'seed', 'x' FROM n;
            """);

        await directory.AppendAuditAsync(new AuditEntry(Time.GetUtcNow(), "cli:root", null, "late.one", "x", null), Ct);
        (await directory.GetAuditAsync(int.MaxValue, Ct)).Should().HaveCount(Seeded + 1, "no trim until the hundredth id");
        await directory.AppendAuditAsync(new AuditEntry(Time.GetUtcNow(), "cli:root", null, "late.two", "x", null), Ct);

        var all = await directory.GetAuditAsync(int.MaxValue, Ct);
        all.Should().HaveCount(SqlAccountDirectory.AuditLogSize);
        all[0].Action.Should().Be("late.two");
        all[1].Action.Should().Be("late.one");
        all[^1].Time.ToUnixTimeMilliseconds().Should().Be(101, "the 100 oldest went");
    }

    private static char Base64UrlWithLowBitsSet(char last)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return Alphabet[Alphabet.IndexOf(last, StringComparison.Ordinal) | 1];
    }

    private string HexLiteral(byte[] bytes) => this is IRequiresPostgres
        ? $"'\\x{Convert.ToHexStringLower(bytes)}'::bytea"
        : $"X'{Convert.ToHexString(bytes)}'";
}
