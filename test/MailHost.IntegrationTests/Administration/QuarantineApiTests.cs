using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailHost.Accounts;
using MailHost.IntegrationTests.Admin;
using MailHost.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.IntegrationTests.Administration;

/// <summary>
/// <c>/api/v1/quarantine</c> on the real host with <c>MailHost:Filtering:QuarantineAccount=quarantine</c>: held
/// messages put into the quarantine through the host's store, listed, released, deleted; and the refusals.
/// </summary>
public sealed class QuarantineApiTests : IClassFixture<QuarantineApiTests.Fixture>
{
    private static readonly DateTimeOffset Received = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private readonly AdminHost _host;

    public QuarantineApiTests(Fixture fixture) => _host = fixture.Host;

    private IMailStore Store => _host.Instance.Services.GetRequiredService<IMailStore>();

    [Fact]
    public async Task A_held_message_is_listed_refused_to_a_read_only_key_and_released_to_its_local_recipient()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // Some 300 KB, so the SQLite store keeps it in a content file and the release streams it from there.
        var held = new QuarantinedMessage("alice@example.com, nobody@example.com, carol@remote.example", transaction: "a1a1a1a1a1a1a1a1", bodyLines: 4000);
        var uid = await held.PutAsync(Store, Received, timeout.Token);
        var (client, key) = await _host.WithApiKeyAsync(ApiKeyScope.Full);
        var (reader, _) = await _host.WithApiKeyAsync(ApiKeyScope.ReadOnly);
        using (client)
        using (reader)
        {
            var entry = (await ListAsync(reader, timeout.Token)).Single(e => e.GetProperty("uid").GetUInt32() == uid);
            entry.GetProperty("internalDate").GetDateTimeOffset().Should().Be(Received);
            entry.GetProperty("size").GetInt64().Should().Be(held.Held.Length);
            entry.GetProperty("sender").GetString().Should().Be("sender@remote.example");
            entry.GetProperty("recipients").EnumerateArray().Select(r => r.GetString()).Should().Equal("alice@example.com", "nobody@example.com", "carol@remote.example");
            entry.GetProperty("subject").GetString().Should().Be(QuarantinedMessage.Subject);
            entry.GetProperty("reason").GetString().Should().Be(QuarantinedMessage.Reason);
            entry.GetProperty("transaction").GetString().Should().Be("a1a1a1a1a1a1a1a1");

            (await reader.PostAsync($"/api/v1/quarantine/{uid}/release", null, timeout.Token)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await ListAsync(client, timeout.Token)).Should().Contain(e => e.GetProperty("uid").GetUInt32() == uid, "a refused release changes nothing");

            var released = await client.PostAsync($"/api/v1/quarantine/{uid}/release", null, timeout.Token);
            released.StatusCode.Should().Be(HttpStatusCode.OK);
            var body = await released.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
            body.GetProperty("uid").GetUInt32().Should().Be(uid);
            body.GetProperty("deliveredTo").EnumerateArray().Select(a => a.GetString()).Should().Equal("alice");
            body.GetProperty("notDelivered").EnumerateArray().Select(r => (r.GetProperty("address").GetString(), r.GetProperty("reason").GetString())).Should().Equal(
                ("nobody@example.com", "no enabled local account has this address"),
                ("carol@remote.example", "not a local address: a release delivers to local accounts only"));

            (await QuarantinedMessage.ReadMailboxAsync(Store, "alice", MailboxName.Inbox, timeout.Token))
                .Should().ContainSingle(m => m.SequenceEqual(held.Released), "exactly the four server fields are left out, the rest byte for byte");
            (await ListAsync(client, timeout.Token)).Should().NotContain(e => e.GetProperty("uid").GetUInt32() == uid);
            (await QuarantinedMessage.ReadMailboxAsync(Store, QuarantinedMessage.Account, QuarantinedMessage.Mailbox, timeout.Token))
                .Should().NotContain(m => m.SequenceEqual(held.Held));

            var audit = await client.GetFromJsonAsync<JsonElement>("/api/v1/audit?count=50", timeout.Token);
            audit.EnumerateArray().Should().Contain(e =>
                e.GetProperty("action").GetString() == AuditActions.QuarantineRelease
                && e.GetProperty("target").GetString() == uid.ToString(CultureInfo.InvariantCulture)
                && e.GetProperty("actor").GetString() == "apikey:" + key.Id
                && e.GetProperty("detail").GetString()!.EndsWith("; to alice", StringComparison.Ordinal));

            var again = await client.PostAsync($"/api/v1/quarantine/{uid}/release", null, timeout.Token);
            await ExpectProblemAsync(again, HttpStatusCode.NotFound, "NotFound", timeout.Token);
        }
    }

    [Fact]
    public async Task A_message_is_deleted_once_and_unknown_uids_are_404_problems()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var uid = await new QuarantinedMessage("alice@example.com", transaction: "d1d1d1d1d1d1d1d1").PutAsync(Store, Received, timeout.Token);
        var (client, key) = await _host.WithApiKeyAsync(ApiKeyScope.Full);
        var (reader, _) = await _host.WithApiKeyAsync(ApiKeyScope.ReadOnly);
        using (client)
        using (reader)
        {
            (await reader.DeleteAsync($"/api/v1/quarantine/{uid}", timeout.Token)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await client.DeleteAsync($"/api/v1/quarantine/{uid}", timeout.Token)).StatusCode.Should().Be(HttpStatusCode.NoContent);

            (await ListAsync(client, timeout.Token)).Should().NotContain(e => e.GetProperty("uid").GetUInt32() == uid);
            await ExpectProblemAsync(await client.DeleteAsync($"/api/v1/quarantine/{uid}", timeout.Token), HttpStatusCode.NotFound, "NotFound", timeout.Token);
            await ExpectProblemAsync(await client.PostAsync("/api/v1/quarantine/4000000000/release", null, timeout.Token), HttpStatusCode.NotFound, "NotFound", timeout.Token);
            await ExpectProblemAsync(await client.PostAsync("/api/v1/quarantine/abc/release", null, timeout.Token), HttpStatusCode.NotFound, "NotFound", timeout.Token);
            (await QuarantinedMessage.ReadMailboxAsync(Store, "alice", MailboxName.Inbox, timeout.Token)).Should().NotContain(
                m => System.Text.Encoding.UTF8.GetString(m).Contains("d1d1d1d1d1d1d1d1", StringComparison.Ordinal), "a delete delivers nothing");

            var audit = await client.GetFromJsonAsync<JsonElement>("/api/v1/audit?count=50", timeout.Token);
            audit.EnumerateArray().Should().Contain(e =>
                e.GetProperty("action").GetString() == AuditActions.QuarantineDelete
                && e.GetProperty("target").GetString() == uid.ToString(CultureInfo.InvariantCulture)
                && e.GetProperty("actor").GetString() == "apikey:" + key.Id);
        }
    }

    [Fact]
    public async Task A_release_without_a_local_recipient_is_a_409_problem_and_keeps_the_message()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var uid = await new QuarantinedMessage("carol@remote.example", sender: "<>", transaction: "e1e1e1e1e1e1e1e1").PutAsync(Store, Received, timeout.Token);
        using var root = await _host.SignedInAsync("root", "root-pw");

        await ExpectProblemAsync(await root.PostAsync($"/api/v1/quarantine/{uid}/release", null, timeout.Token), HttpStatusCode.Conflict, "NoLocalRecipient", timeout.Token);

        var entry = (await ListAsync(root, timeout.Token)).Single(e => e.GetProperty("uid").GetUInt32() == uid);
        entry.GetProperty("sender").GetString().Should().Be("<>");
        var document = await root.GetFromJsonAsync<JsonElement>("/openapi/v1.json", timeout.Token);
        document.GetProperty("paths").EnumerateObject().Select(p => p.Name).Should().Contain(["/api/v1/quarantine", "/api/v1/quarantine/{uid}/release", "/api/v1/quarantine/{uid}"]);
    }

    [Fact]
    public async Task Without_a_quarantine_account_every_route_is_a_409_problem()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var host = await AdminHost.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var (client, _) = await host.WithApiKeyAsync(ApiKeyScope.Full);
        using (client)
        {
            await ExpectProblemAsync(await client.GetAsync("/api/v1/quarantine", timeout.Token), HttpStatusCode.Conflict, "QuarantineNotConfigured", timeout.Token);
            await ExpectProblemAsync(await client.PostAsync("/api/v1/quarantine/1/release", null, timeout.Token), HttpStatusCode.Conflict, "QuarantineNotConfigured", timeout.Token);
            await ExpectProblemAsync(await client.DeleteAsync("/api/v1/quarantine/1", timeout.Token), HttpStatusCode.Conflict, "QuarantineNotConfigured", timeout.Token);
        }
    }

    private static async Task<List<JsonElement>> ListAsync(HttpClient client, CancellationToken cancellationToken)
        => [.. (await client.GetFromJsonAsync<JsonElement>("/api/v1/quarantine?limit=1000", cancellationToken)).EnumerateArray()];

    private static async Task ExpectProblemAsync(HttpResponseMessage response, HttpStatusCode status, string title, CancellationToken cancellationToken)
    {
        response.StatusCode.Should().Be(status);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        problem.GetProperty("title").GetString().Should().Be(title);
        problem.GetProperty("status").GetInt32().Should().Be((int)status);
        problem.GetProperty("detail").GetString().Should().NotBeNullOrEmpty();
    }

    /// <summary>One host for the class, with the quarantine account configured (it is not a directory account).</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public AdminHost Host { get; private set; } = null!;

        public async Task InitializeAsync()
            => Host = await AdminHost.StartAsync("--MailHost:Admin:SignInsPerMinute=1000", "--MailHost:Filtering:QuarantineAccount=" + QuarantinedMessage.Account);

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }
}
