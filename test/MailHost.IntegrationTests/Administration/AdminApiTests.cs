using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailHost.Accounts;
using Microsoft.Extensions.DependencyInjection;
using MailKit.Net.Imap;
using MailKit.Security;
using OtpNet;

namespace MailHost.IntegrationTests.Administration;

/// <summary>The management API over HTTP: every operation, and every refusal (no session, wrong role, read-only key, anti-forgery).</summary>
public sealed class AdminApiTests : IClassFixture<AdminApiTests.Fixture>
{
    private readonly AdminHost _host;

    public AdminApiTests(Fixture fixture) => _host = fixture.Host;

    [Fact]
    public async Task Health_answers_alive_and_ready_with_each_check()
    {
        using var client = _host.Client();
        var live = await client.GetAsync("/healthz");
        live.StatusCode.Should().Be(HttpStatusCode.OK);
        var ready = await client.GetFromJsonAsync<JsonElement>("/readyz");
        ready.GetProperty("status").GetString().Should().Be("Healthy");
        ready.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString())
            .Should().BeEquivalentTo("store", "queue-worker", "certificate");
    }

    [Fact]
    public async Task Administration_routes_answer_only_on_the_administration_listener()
    {
        var onboarding = _host.Instance.Services.GetRequiredService<MailHost.Server.Onboarding.OnboardingListeners>().HttpEndPoint!;
        using var publicClient = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{onboarding.Port}/") };
        (await publicClient.GetAsync("/healthz")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await publicClient.GetAsync("/api/v1/accounts")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await publicClient.GetAsync("/mail/config-v1.1.xml?emailaddress=alice@example.com")).StatusCode.Should().Be(HttpStatusCode.OK);

        using var admin = _host.Client();
        (await admin.GetAsync("/mail/config-v1.1.xml?emailaddress=alice@example.com")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Without_a_session_or_key_the_api_answers_401()
    {
        using var client = _host.Client();
        (await client.GetAsync("/api/v1/accounts")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await client.PostAsJsonAsync("/api/v1/domains", new { name = "nobody.example" })).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        client.DefaultRequestHeaders.Authorization = new("Bearer", "mhk_000000000000_" + new string('A', 43));
        (await client.GetAsync("/api/v1/accounts")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_mailbox_user_is_refused_operator_routes_but_reads_its_own_account()
    {
        using var alice = await _host.SignedInAsync("alice", "alice-pw");
        (await alice.GetAsync("/api/v1/accounts")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await alice.PostAsJsonAsync("/api/v1/domains", new { name = "alice.example" })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var me = await alice.GetFromJsonAsync<JsonElement>("/api/v1/me");
        me.GetProperty("name").GetString().Should().Be("alice");
        me.GetProperty("administrator").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task A_read_only_key_reads_but_cannot_change_and_a_revoked_key_is_refused()
    {
        var (client, key) = await _host.WithApiKeyAsync(ApiKeyScope.ReadOnly);
        using (client)
        {
            (await client.GetAsync("/api/v1/domains")).StatusCode.Should().Be(HttpStatusCode.OK);
            (await client.PostAsJsonAsync("/api/v1/domains", new { name = "readonly.example" })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await client.GetAsync("/api/v1/me")).StatusCode.Should().Be(HttpStatusCode.Forbidden, "a key is not a mailbox user");

            using var root = await _host.SignedInAsync("root", "root-pw");
            (await root.DeleteAsync($"/api/v1/apikeys/{key.Id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
            (await client.GetAsync("/api/v1/domains")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }
    }

    [Fact]
    public async Task A_cookie_session_change_needs_the_anti_forgery_token()
    {
        using var root = await _host.SignedInAsync("root", "root-pw");
        root.DefaultRequestHeaders.Remove("X-CSRF-TOKEN");
        var refused = await root.PostAsJsonAsync("/api/v1/domains", new { name = "forged.example" });
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("anti-forgery");
        (await root.GetFromJsonAsync<JsonElement>("/api/v1/domains")).EnumerateArray().Select(d => d.GetProperty("name").GetString()).Should().NotContain("forged.example");
    }

    [Fact]
    public async Task Domains_with_their_dkim_record_are_created_listed_and_removed()
    {
        var (client, _) = await _host.WithApiKeyAsync(ApiKeyScope.Full);
        using (client)
        {
            (await client.PostAsJsonAsync("/api/v1/domains", new { name = "Shop.Example" })).StatusCode.Should().Be(HttpStatusCode.Created);
            (await client.PostAsJsonAsync("/api/v1/domains", new { name = "shop.example" })).StatusCode.Should().Be(HttpStatusCode.Conflict);
            (await client.PostAsJsonAsync("/api/v1/domains", new { name = "not a domain" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);

            var dkim = await client.PostAsJsonAsync("/api/v1/domains/shop.example/dkim", new { rotate = false });
            dkim.StatusCode.Should().Be(HttpStatusCode.OK);
            var view = await dkim.Content.ReadFromJsonAsync<JsonElement>();
            view.GetProperty("dkimRecordName").GetString().Should().EndWith("._domainkey.shop.example");
            view.GetProperty("dkimRecord").GetString().Should().StartWith("v=DKIM1;");
            (await client.PostAsJsonAsync("/api/v1/domains/shop.example/dkim", new { rotate = false })).StatusCode.Should().Be(HttpStatusCode.Conflict);
            (await client.GetFromJsonAsync<JsonElement>("/api/v1/domains/shop.example")).GetProperty("dkimSelector").GetString().Should().NotBeNullOrEmpty();

            (await client.DeleteAsync("/api/v1/domains/shop.example")).StatusCode.Should().Be(HttpStatusCode.NoContent);
            (await client.GetAsync("/api/v1/domains/shop.example")).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await client.DeleteAsync("/api/v1/domains/" + AdminHost.Domain)).StatusCode.Should().Be(HttpStatusCode.Conflict, "addresses still use it");
        }
    }

    [Fact]
    public async Task Accounts_and_aliases_are_managed_and_the_new_account_logs_in_over_imap()
    {
        using var root = await _host.SignedInAsync("root", "root-pw");
        var created = await root.PostAsJsonAsync("/api/v1/accounts", new { name = "carol", addresses = new[] { "carol@example.com" }, password = "carol-pw-1" });
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        created.Headers.Location!.OriginalString.Should().Be("/api/v1/accounts/carol");
        (await root.PostAsJsonAsync("/api/v1/accounts", new { name = "carol", addresses = new[] { "carol2@example.com" }, password = "x" })).StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await root.PostAsJsonAsync("/api/v1/accounts", new { name = "dave", addresses = new[] { "dave@example.com" }, password = "" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await root.PostAsJsonAsync("/api/v1/aliases", new { address = "sales@example.com", account = "carol" })).StatusCode.Should().Be(HttpStatusCode.Created);
        (await root.PutAsJsonAsync("/api/v1/accounts/carol/password", new { password = "carol-pw-2" })).StatusCode.Should().Be(HttpStatusCode.NoContent);

        await ImapLoginAsync("carol@example.com", "carol-pw-2");
        var carol = await root.GetFromJsonAsync<JsonElement>("/api/v1/accounts/carol");
        carol.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()).Should().Equal("sales@example.com");
        var login = carol.GetProperty("recentLogins").EnumerateArray().First();
        login.GetProperty("protocol").GetString().Should().Be("IMAP");
        login.GetProperty("remoteAddress").GetString().Should().Be("127.0.0.1");
        login.GetProperty("outcome").GetString().Should().Be(nameof(LoginOutcome.Succeeded));

        (await root.PutAsJsonAsync("/api/v1/accounts/carol/disabled", new { disabled = true })).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await root.GetFromJsonAsync<JsonElement>("/api/v1/accounts/carol")).GetProperty("disabled").GetBoolean().Should().BeTrue();
        (await root.PutAsJsonAsync("/api/v1/accounts/carol/administrator", new { administrator = true })).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await root.GetFromJsonAsync<JsonElement>("/api/v1/accounts/carol")).GetProperty("administrator").GetBoolean().Should().BeTrue();
        (await root.DeleteAsync("/api/v1/aliases/sales@example.com")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await root.DeleteAsync("/api/v1/aliases/sales@example.com")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await root.DeleteAsync("/api/v1/accounts/carol")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await root.GetAsync("/api/v1/accounts/carol")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await root.PutAsJsonAsync("/api/v1/accounts/nobody/password", new { password = "x" })).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var audit = await root.GetFromJsonAsync<JsonElement>("/api/v1/audit?count=50");
        var entries = audit.EnumerateArray().Where(e => e.GetProperty("target").GetString() is "carol" or "sales@example.com").ToList();
        entries.Select(e => e.GetProperty("action").GetString()).Should().Contain([
            AuditActions.AccountCreate, AuditActions.AliasCreate, AuditActions.AccountPassword, AuditActions.AccountDisable,
            AuditActions.AccountAdminGrant, AuditActions.AliasRemove, AuditActions.AccountRemove]);
        entries.Should().OnlyContain(e => e.GetProperty("actor").GetString() == "root" && e.GetProperty("remoteAddress").GetString() == "127.0.0.1");
    }

    [Fact]
    public async Task The_queue_lists_shows_retries_and_removes_a_deferred_message()
    {
        await _host.Instance.SubmitAsync("alice", new MimeKit.MimeMessage(
            [new MimeKit.MailboxAddress("Alice", "alice@example.com")], [new MimeKit.MailboxAddress("Bob", "bob@remote.example")], "Deferred", new MimeKit.TextPart("plain") { Text = "Wait." }));
        await _host.Instance.WaitForDeliveryEventAsync(3001, "TemporaryFailure");

        var (client, _) = await _host.WithApiKeyAsync(ApiKeyScope.Full);
        using (client)
        {
            var queued = (await client.GetFromJsonAsync<JsonElement>("/api/v1/queue")).EnumerateArray()
                .Single(m => m.GetProperty("recipients")[0].GetProperty("address").GetString() == "bob@remote.example");
            var id = queued.GetProperty("id").GetString()!;
            var shown = await client.GetFromJsonAsync<JsonElement>($"/api/v1/queue/{id}");
            shown.GetProperty("recipients")[0].GetProperty("lastReply").GetString().Should().NotBeNullOrEmpty();
            var before = shown.GetProperty("nextAttempt").GetDateTimeOffset();

            (await client.PostAsync($"/api/v1/queue/{id}/retry", null)).StatusCode.Should().Be(HttpStatusCode.NoContent);
            // The retry wakes this host's worker at once; the second attempt fails again on the closed port.
            var attempts = 1;
            for (var deadline = DateTime.UtcNow.AddSeconds(30); attempts < 2 && DateTime.UtcNow < deadline; await Task.Delay(100))
            {
                attempts = (await client.GetFromJsonAsync<JsonElement>($"/api/v1/queue/{id}")).GetProperty("recipients")[0].GetProperty("attempts").GetInt32();
            }

            attempts.Should().Be(2);
            (await client.PostAsync("/api/v1/queue/nosuchid/retry", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await client.DeleteAsync($"/api/v1/queue/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
            (await client.GetAsync($"/api/v1/queue/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
            before.Should().BeAfter(DateTimeOffset.UtcNow.AddMinutes(30), "the retry, not the schedule, made the second attempt");
        }
    }

    [Fact]
    public async Task A_mailbox_user_changes_its_password_with_the_current_one()
    {
        await _host.Directory.AddAccountAsync("erin", ["erin@example.com"], PasswordRecord.Create("erin-pw", 4096), CancellationToken.None);
        using var erin = await _host.SignedInAsync("erin@example.com", "erin-pw");
        (await erin.PutAsJsonAsync("/api/v1/me/password", new { currentPassword = "wrong", newPassword = "erin-pw-2" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await erin.PutAsJsonAsync("/api/v1/me/password", new { currentPassword = "erin-pw", newPassword = "erin-pw-2" })).StatusCode.Should().Be(HttpStatusCode.NoContent);
        await ImapLoginAsync("erin@example.com", "erin-pw-2");
        var logins = (await erin.GetFromJsonAsync<JsonElement>("/api/v1/me")).GetProperty("recentLogins").EnumerateArray().ToList();
        logins.Should().Contain(l => l.GetProperty("protocol").GetString() == "IMAP");
        logins.Should().Contain(l => l.GetProperty("protocol").GetString() == "HTTP" && l.GetProperty("outcome").GetString() == nameof(LoginOutcome.Succeeded));
    }

    [Fact]
    public async Task A_totp_account_signs_in_only_with_a_fresh_code()
    {
        await _host.Directory.AddAccountAsync("frank", ["frank@example.com"], PasswordRecord.Create("frank-pw", 4096), CancellationToken.None);
        var secret = System.Security.Cryptography.RandomNumberGenerator.GetBytes(20);
        (await ((IAdministrationDirectory)_host.Directory).SetTotpSecretAsync("frank", secret, CancellationToken.None)).Succeeded.Should().BeTrue();

        using var client = _host.Client();
        var noCode = await AdminHost.SignInAsync(client, "frank", "frank-pw");
        noCode.Headers.Location!.OriginalString.Should().Contain("failed=1");
        var code = new Totp(secret).ComputeTotp(DateTime.UtcNow);
        var wrong = code == "000000" ? "111111" : "000000";
        (await AdminHost.SignInAsync(client, "frank", "frank-pw", wrong)).Headers.Location!.OriginalString.Should().Contain("failed=1");
        var ok = await AdminHost.SignInAsync(client, "frank", "frank-pw", code);
        ok.Headers.Location!.OriginalString.Should().Be("/me");

        using var replay = _host.Client();
        (await AdminHost.SignInAsync(replay, "frank", "frank-pw", code)).Headers.Location!.OriginalString.Should().Contain("failed=1", "a code is accepted once");
    }

    [Fact]
    public async Task Api_keys_are_created_once_listed_without_secret_and_revoked()
    {
        using var root = await _host.SignedInAsync("root", "root-pw");
        var created = await root.PostAsJsonAsync("/api/v1/apikeys", new { name = "backup script", scope = "Full" });
        created.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var token = body.GetProperty("token").GetString()!;
        var id = body.GetProperty("key").GetProperty("id").GetString()!;
        token.Should().StartWith("mhk_" + id + "_");

        var listed = await root.GetStringAsync("/api/v1/apikeys");
        listed.Should().Contain("backup script").And.NotContain(token[(5 + id.Length)..]);
        using var script = _host.Client();
        script.DefaultRequestHeaders.Authorization = new("Bearer", token);
        (await script.PostAsJsonAsync("/api/v1/domains", new { name = "script.example" })).StatusCode.Should().Be(HttpStatusCode.Created);
        (await root.DeleteAsync($"/api/v1/apikeys/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await root.DeleteAsync($"/api/v1/apikeys/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await script.GetAsync("/api/v1/domains")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var audit = await root.GetFromJsonAsync<JsonElement>("/api/v1/audit");
        audit.EnumerateArray().Should().Contain(e => e.GetProperty("action").GetString() == AuditActions.DomainCreate && e.GetProperty("actor").GetString() == "apikey:" + id);
    }

    [Fact]
    public async Task An_account_quota_is_read_set_seen_over_imap_and_returned_to_the_defaults()
    {
        await _host.Directory.AddAccountAsync("gina", ["gina@example.com"], PasswordRecord.Create("gina-pw", 4096), CancellationToken.None);
        var (client, _) = await _host.WithApiKeyAsync(ApiKeyScope.Full);
        using (client)
        {
            var before = await client.GetFromJsonAsync<JsonElement>("/api/v1/accounts/gina/quota");
            before.GetProperty("messageLimit").ValueKind.Should().Be(JsonValueKind.Null, "no limit is configured by default");
            (await client.PutAsJsonAsync("/api/v1/accounts/gina/quota", new { storage = 2_048_000, messages = 10 })).StatusCode.Should().Be(HttpStatusCode.NoContent);
            var set = await client.GetFromJsonAsync<JsonElement>("/api/v1/accounts/gina/quota");
            set.GetProperty("storageLimit").GetInt64().Should().Be(2_048_000);
            set.GetProperty("messageLimit").GetInt64().Should().Be(10);

            using (var imap = new ImapClient { Timeout = 15_000 })
            {
                await imap.ConnectAsync(_host.Imap.Address.ToString(), _host.Imap.Port, SecureSocketOptions.None);
                await imap.AuthenticateAsync("gina", "gina-pw");
                var quota = await imap.Inbox.GetQuotaAsync();
                quota.MessageLimit.Should().Be(10u);
                quota.StorageLimit.Should().Be(2000u, "IMAP counts storage in units of 1024 octets (RFC 9208 §5.1)");
                await imap.DisconnectAsync(true);
            }

            (await client.PutAsJsonAsync("/api/v1/accounts/gina/quota", new { storage = -1 })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await client.PutAsJsonAsync("/api/v1/accounts/nobody/quota", new { messages = 1 })).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await client.PutAsJsonAsync("/api/v1/accounts/gina/quota", new { @default = true })).StatusCode.Should().Be(HttpStatusCode.NoContent);
            (await client.GetFromJsonAsync<JsonElement>("/api/v1/accounts/gina/quota")).GetProperty("messageLimit").ValueKind.Should().Be(JsonValueKind.Null);
        }

        var (reader, _) = await _host.WithApiKeyAsync(ApiKeyScope.ReadOnly);
        using (reader)
        {
            (await reader.GetAsync("/api/v1/accounts/gina/quota")).StatusCode.Should().Be(HttpStatusCode.OK);
            (await reader.PutAsJsonAsync("/api/v1/accounts/gina/quota", new { messages = 1 })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task The_openapi_document_describes_the_api()
    {
        using var client = _host.Client();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.Should().Contain(["/api/v1/accounts", "/api/v1/domains", "/api/v1/queue/{id}/retry", "/api/v1/apikeys", "/api/v1/audit"]);
    }

    private async Task ImapLoginAsync(string login, string password)
    {
        using var imap = new ImapClient { Timeout = 15_000 };
        await imap.ConnectAsync(_host.Imap.Address.ToString(), _host.Imap.Port, SecureSocketOptions.None);
        await imap.AuthenticateAsync(login, password);
        await imap.DisconnectAsync(true);
    }

    /// <summary>One host for the class; sign-ins are not rate-limited here (that is tested on its own host).</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public AdminHost Host { get; private set; } = null!;

        public async Task InitializeAsync() => Host = await AdminHost.StartAsync("--MailHost:Admin:SignInsPerMinute=1000");

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }
}
