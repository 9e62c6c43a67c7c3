using System.Text;
using MailHost.IntegrationTests.Imap;
using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Logins;

/// <summary>
/// Issue 17 item 12, over real sockets: the salt IMAP AUTHENTICATE SCRAM-SHA-256 shows does not tell a real login
/// from an unknown one by how it relates across spellings or restarts, and reading salts is a counted failure.
/// </summary>
public class ScramSaltTests
{
    [Theory]
    [InlineData(TestStoreKind.InMemory)]
    [InlineData(TestStoreKind.Sqlite)]
    public async Task Spellings_of_a_real_and_of_an_unknown_login_relate_alike_and_each_read_salt_counts(TestStoreKind kind)
    {
        await using var server = await AuthenticationTestServer.StartAsync(kind, o =>
        {
            o.Throttle.Delays.Clear();
            o.Throttle.Delays.Add(TimeSpan.FromMilliseconds(10));
        });

        var alice = await SaltsAsync(server, "127.0.0.5", ["alice", "ALICE@example.com", "Alice@Example.COM."]);
        var carol = await SaltsAsync(server, "127.0.0.6", ["carol", "CAROL@example.com", "Carol@Example.COM."]);
        var muller = await SaltsAsync(server, "127.0.0.7", ["m\u00fcller", "mu\u0308ller", "MU\u0308LLER@example.com"]);

        alice.Distinct().Should().ContainSingle();
        carol.Distinct().Should().ContainSingle();
        muller.Distinct().Should().ContainSingle();
        new[] { alice[0], carol[0], muller[0] }.Should().OnlyHaveUniqueItems();

        // A restart keeps an unknown login's salt, as it keeps a real account's.
        await server.RestartAsync();
        (await SaltsAsync(server, "127.0.0.8", ["carol", "alice"])).Should().Equal(carol[0], alice[0]);
    }

    /// <summary>
    /// Starts one SCRAM exchange per login on one connection from <paramref name="source"/> and cancels each after
    /// the server-first message. Three of them are three counted failures: the server says BYE after the third.
    /// </summary>
    private static async Task<List<string>> SaltsAsync(AuthenticationTestServer server, string source, IReadOnlyList<string> logins)
    {
        await using var client = await server.ConnectFromAsync(source);
        var salts = new List<string>();
        for (var i = 0; i < logins.Count; i++)
        {
            var clientFirst = "n,,n=" + logins[i] + ",r=" + Convert.ToBase64String(Guid.NewGuid().ToByteArray());
            await client.SendAsync($"s{i} AUTHENTICATE SCRAM-SHA-256 {Convert.ToBase64String(Encoding.UTF8.GetBytes(clientFirst))}\r\n");
            var challenge = await client.ReadLineAsync();
            challenge.Should().StartWith("+ ");
            var serverFirst = Encoding.UTF8.GetString(Convert.FromBase64String(challenge[2..]));
            salts.Add(serverFirst.Split(',').Single(part => part.StartsWith("s=", StringComparison.Ordinal))[2..]);

            await client.SendAsync("*\r\n");
            (await client.ReadUntilTaggedAsync("s" + i)).Last().Should().StartWith($"s{i} BAD");
        }

        if (logins.Count == 3)
        {
            (await client.ReadLineAsync()).Should().StartWith("* BYE", "the third salt read is the third failure on the connection");
        }

        return salts;
    }
}
