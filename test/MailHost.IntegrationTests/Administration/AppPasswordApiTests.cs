using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailHost.Accounts;
using MailKit.Net.Imap;
using MailKit.Security;

namespace MailHost.IntegrationTests.Administration;

/// <summary>
/// <c>/api/v1/accounts/{name}/app-passwords</c> over HTTP: made (the secret in that answer only), listed, used over IMAP,
/// named in the login history, required, revoked; refusals as problem documents; never a way into the console.
/// </summary>
public sealed class AppPasswordApiTests : IClassFixture<AppPasswordApiTests.Fixture>
{
    private readonly AdminHost _host;

    public AppPasswordApiTests(Fixture fixture) => _host = fixture.Host;

    [Fact]
    public async Task An_app_password_is_created_once_listed_without_its_secret_used_over_imap_required_and_revoked()
    {
        var (client, _) = await _host.WithApiKeyAsync(ApiKeyScope.Full);
        using (client)
        {
            (await client.PostAsJsonAsync("/api/v1/accounts", new { name = "henry", addresses = new[] { "henry@example.com" }, password = "henry-pw" })).StatusCode.Should().Be(HttpStatusCode.Created);

            var created = await client.PostAsJsonAsync(
                "/api/v1/accounts/Henry/app-passwords", new { name = "Henry's phone", protocols = new[] { "imap", "smtp" }, networks = new[] { "127.0.0.0/8" }, expires = "90d" });

            created.StatusCode.Should().Be(HttpStatusCode.OK);
            var body = await created.Content.ReadFromJsonAsync<JsonElement>();
            var secret = body.GetProperty("secret").GetString()!;
            var appPassword = body.GetProperty("appPassword");
            var id = appPassword.GetProperty("id").GetString()!;
            secret.Should().MatchRegex("^[a-z2-9]{6}(-[a-z2-9]{6}){3}$");
            appPassword.GetProperty("name").GetString().Should().Be("Henry's phone");
            appPassword.GetProperty("protocols").EnumerateArray().Select(p => p.GetString()).Should().Equal("imap", "smtp");
            appPassword.GetProperty("networks").EnumerateArray().Select(p => p.GetString()).Should().Equal("127.0.0.0/8");
            appPassword.GetProperty("expires").GetDateTimeOffset().Should().BeCloseTo(DateTimeOffset.UtcNow.AddDays(90), TimeSpan.FromMinutes(5));
            appPassword.GetProperty("lastUse").ValueKind.Should().Be(JsonValueKind.Null);

            await ImapLoginAsync("henry@example.com", secret);
            var listed = await client.GetStringAsync("/api/v1/accounts/henry/app-passwords");
            listed.Should().NotContain(secret).And.NotContain(secret.Replace("-", string.Empty, StringComparison.Ordinal));
            var item = JsonDocument.Parse(listed).RootElement.EnumerateArray().Should().ContainSingle().Subject;
            item.GetProperty("id").GetString().Should().Be(id);
            item.GetProperty("lastUse").GetProperty("protocol").GetString().Should().Be("IMAP");
            item.GetProperty("lastUse").GetProperty("remoteAddress").GetString().Should().Be("127.0.0.1");
            var login = (await client.GetFromJsonAsync<JsonElement>("/api/v1/accounts/henry/logins")).EnumerateArray().First();
            login.GetProperty("appPasswordId").GetString().Should().Be(id);
            login.GetProperty("appPasswordName").GetString().Should().Be("Henry's phone");

            (await client.PutAsJsonAsync("/api/v1/accounts/henry/app-passwords/required", new { required = true })).StatusCode.Should().Be(HttpStatusCode.NoContent);
            (await client.GetFromJsonAsync<JsonElement>("/api/v1/accounts/henry")).GetProperty("requireAppPasswords").GetBoolean().Should().BeTrue();
            await FluentActions.Awaiting(() => ImapLoginAsync("henry", "henry-pw")).Should().ThrowAsync<AuthenticationException>();
            await ImapLoginAsync("henry", secret);
            (await client.GetFromJsonAsync<JsonElement>("/api/v1/accounts/henry/logins")).EnumerateArray().Select(l => l.GetProperty("outcome").GetString())
                .Should().StartWith([nameof(LoginOutcome.Succeeded), nameof(LoginOutcome.AppPasswordRequired)]);

            (await client.DeleteAsync($"/api/v1/accounts/henry/app-passwords/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
            await FluentActions.Awaiting(() => ImapLoginAsync("henry", secret)).Should().ThrowAsync<AuthenticationException>();
            (await client.GetFromJsonAsync<JsonElement>("/api/v1/accounts/henry/app-passwords")).GetArrayLength().Should().Be(0);
            (await client.PutAsJsonAsync("/api/v1/accounts/henry/app-passwords/required", new { required = false })).StatusCode.Should().Be(HttpStatusCode.NoContent);
            await ImapLoginAsync("henry", "henry-pw");

            var audit = await client.GetStringAsync("/api/v1/audit?count=20");
            audit.Should().Contain(AuditActions.AppPasswordCreate).And.Contain(AuditActions.AppPasswordRevoke)
                .And.Contain(AuditActions.AppPasswordsRequire).And.Contain(AuditActions.AppPasswordsOptional).And.NotContain(secret);
        }
    }

    [Fact]
    public async Task Refusals_are_problem_documents_and_a_read_only_key_may_only_list()
    {
        var (client, _) = await _host.WithApiKeyAsync(ApiKeyScope.Full);
        using (client)
        {
            var unknown = await client.PostAsJsonAsync("/api/v1/accounts/nobody/app-passwords", new { name = "Phone" });
            unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().Should().Be("There is no account 'nobody'.");
            var badProtocol = await client.PostAsJsonAsync("/api/v1/accounts/alice/app-passwords", new { name = "Phone", protocols = new[] { "http" } });
            badProtocol.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await badProtocol.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().Should().StartWith("Unknown protocol 'http'");
            (await client.PostAsJsonAsync("/api/v1/accounts/alice/app-passwords", new { name = "" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await client.PostAsJsonAsync("/api/v1/accounts/alice/app-passwords", new { name = "Phone", networks = new[] { "10.0.0.1/8" } })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await client.PostAsJsonAsync("/api/v1/accounts/alice/app-passwords", new { name = "Phone", expires = "yesterday" })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await client.GetAsync("/api/v1/accounts/nobody/app-passwords")).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await client.DeleteAsync("/api/v1/accounts/alice/app-passwords/ffffffff")).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await client.PutAsJsonAsync("/api/v1/accounts/nobody/app-passwords/required", new { required = true })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        }

        var (reader, _) = await _host.WithApiKeyAsync(ApiKeyScope.ReadOnly);
        using (reader)
        {
            (await reader.GetAsync("/api/v1/accounts/alice/app-passwords")).StatusCode.Should().Be(HttpStatusCode.OK);
            (await reader.PostAsJsonAsync("/api/v1/accounts/alice/app-passwords", new { name = "Phone" })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await reader.PutAsJsonAsync("/api/v1/accounts/alice/app-passwords/required", new { required = true })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await reader.DeleteAsync("/api/v1/accounts/alice/app-passwords/ffffffff")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task An_app_password_does_not_sign_in_to_the_console()
    {
        var created = await ((IAppPasswordAdministration)_host.Directory).CreateAppPasswordAsync(
            "root", new NewAppPassword("Root's phone", AppPasswordProtocols.All, [], null), PasswordRecord.MinimumIterations, CancellationToken.None);

        using var client = _host.Client();
        var refused = await AdminHost.SignInAsync(client, "root", created!.Secret);

        refused.StatusCode.Should().Be(HttpStatusCode.Redirect);
        refused.Headers.Location!.OriginalString.Should().Contain("failed");
        (await client.GetAsync("/api/v1/accounts")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var history = await _host.Directory.GetRecentLoginsAsync("root", 1, CancellationToken.None);
        history.Single().Should().Match<LoginRecord>(r => r.Protocol == "HTTP" && r.Outcome == LoginOutcome.Failed && r.AppPasswordId == null);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_app_password_routes()
    {
        using var client = _host.Client();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");
        paths.GetProperty("/api/v1/accounts/{name}/app-passwords").EnumerateObject().Select(o => o.Name).Should().Contain(["get", "post"]);
        paths.GetProperty("/api/v1/accounts/{name}/app-passwords/{id}").EnumerateObject().Select(o => o.Name).Should().Contain("delete");
        paths.GetProperty("/api/v1/accounts/{name}/app-passwords/required").EnumerateObject().Select(o => o.Name).Should().Contain("put");
    }

    /// <summary>Logs in to the host's IMAP endpoint with SASL PLAIN (MailKit would pick SCRAM-SHA-256, which cannot carry an app password).</summary>
    private async Task ImapLoginAsync(string login, string password)
    {
        using var imap = new ImapClient { Timeout = 15_000 };
        await imap.ConnectAsync(_host.Imap.Address.ToString(), _host.Imap.Port, SecureSocketOptions.None);
        imap.AuthenticationMechanisms.RemoveWhere(m => m != "PLAIN");
        await imap.AuthenticateAsync(login, password);
        await imap.DisconnectAsync(true);
    }

    /// <summary>One host for the class, without throttle delays: the refused logins here are meant, not attacks.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public AdminHost Host { get; private set; } = null!;

        public async Task InitializeAsync() => Host = await AdminHost.StartAsync("--MailHost:Admin:SignInsPerMinute=1000", "--MailHost:Auth:Throttle:Enabled=false");

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }
}
