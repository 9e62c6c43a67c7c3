using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Imap;

/// <summary>
/// The transcripts in Transcripts/Imap, each against a fresh server where alice has two messages, on every store.
/// Sessions after the first log in with their own lines.
/// </summary>
public abstract class ImapTranscriptTests(TestStoreKind kind)
{
    public static IEnumerable<object[]> Files => Transcript.Files("Imap");

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Transcript_runs(string name)
    {
        await using var store = await TestStore.OpenAsync(kind);
        var world = new MailWorld(store.Store);
        await world.DeliverAsync("alice", MailWorld.Message(1));
        await world.DeliverAsync("alice", MailWorld.Message(2));
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        await Transcript.RunAsync(client, "Imap", name, () => LineClient.ConnectAsync(server.EndPoint));
    }
}

public sealed class ImapTranscriptTestsInMemory() : ImapTranscriptTests(TestStoreKind.InMemory);

public sealed class ImapTranscriptTestsSqlite() : ImapTranscriptTests(TestStoreKind.Sqlite);
