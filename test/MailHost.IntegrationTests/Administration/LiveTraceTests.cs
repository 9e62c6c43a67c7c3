using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailHost.Accounts;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;

namespace MailHost.IntegrationTests.Administration;

/// <summary>An operator's live protocol trace of one account or client address: opt-in, time-limited, redacted.</summary>
public sealed class LiveTraceTests
{
    [Fact]
    public async Task A_trace_of_an_account_shows_its_session_redacted_and_nothing_of_other_accounts()
    {
        await using var host = await AdminHost.StartAsync();
        using var root = await host.SignedInAsync("root", "root-pw");
        var started = await root.PostAsJsonAsync("/api/v1/traces", new { account = "alice", minutes = 5 });
        started.StatusCode.Should().Be(HttpStatusCode.Created);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var byAddress = await root.PostAsJsonAsync("/api/v1/traces", new { address = "127.0.0.1", minutes = 5 });
        var addressId = (await byAddress.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        await ImapSessionAsync(host, "alice", "alice-pw");
        await ImapSessionAsync(host, "root", "root-pw");

        var trace = await root.GetFromJsonAsync<JsonElement>($"/api/v1/traces/{id}");
        var lines = trace.GetProperty("lines").EnumerateArray().ToList();
        lines.Should().OnlyContain(l => l.GetProperty("account").GetString() == "alice");
        lines.Where(l => l.GetProperty("text").GetString()!.Contains("EXAMINE INBOX", StringComparison.Ordinal)).Should().ContainSingle("root's session examines it too, but is not traced");
        var all = await LinesAsync(root, addressId);
        all.Should().Contain(l => l.Contains("AUTHENTICATE", StringComparison.Ordinal) && l.Contains("<redacted>", StringComparison.Ordinal));
        all.Should().NotContain(l => l.Contains("-pw", StringComparison.Ordinal), "passwords are redacted");

        (await root.DeleteAsync($"/api/v1/traces/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var count = (await LinesAsync(root, id)).Count;
        await ImapSessionAsync(host, "alice", "alice-pw");
        (await LinesAsync(root, id)).Should().HaveCount(count, "a stopped trace records nothing more");
        var audit = await root.GetFromJsonAsync<JsonElement>("/api/v1/audit");
        audit.EnumerateArray().Select(e => e.GetProperty("action").GetString()).Should().Contain([AuditActions.TraceStart, AuditActions.TraceStop]);
    }

    [Fact]
    public async Task A_trace_needs_one_target_and_a_bounded_duration()
    {
        await using var host = await AdminHost.StartAsync();
        var (client, _) = await host.WithApiKeyAsync(ApiKeyScope.Full);
        using (client)
        {
            (await client.PostAsJsonAsync("/api/v1/traces", new { minutes = 5 })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await client.PostAsJsonAsync("/api/v1/traces", new { account = "alice", address = "127.0.0.1", minutes = 5 })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await client.PostAsJsonAsync("/api/v1/traces", new { account = "alice", minutes = 61 })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
            (await client.PostAsJsonAsync("/api/v1/traces", new { address = "not-an-ip", minutes = 5 })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        }

        var (reader, _) = await host.WithApiKeyAsync(ApiKeyScope.ReadOnly);
        using (reader)
        {
            (await reader.PostAsJsonAsync("/api/v1/traces", new { account = "alice", minutes = 5 })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }
    }

    private static async Task<List<string>> LinesAsync(HttpClient client, string id)
    {
        var trace = await client.GetFromJsonAsync<JsonElement>($"/api/v1/traces/{id}");
        return trace.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("text").GetString()!).ToList();
    }

    private static async Task ImapSessionAsync(AdminHost host, string login, string password)
    {
        using var imap = new ImapClient { Timeout = 15_000 };
        await imap.ConnectAsync(host.Imap.Address.ToString(), host.Imap.Port, SecureSocketOptions.None);
        await imap.AuthenticateAsync(login, password);
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        await imap.DisconnectAsync(true);
    }
}
