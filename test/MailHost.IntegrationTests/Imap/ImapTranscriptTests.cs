using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Imap;

/// <summary>The transcripts in Transcripts/Imap, each against a fresh server where alice has two messages.</summary>
public sealed class ImapTranscriptTests
{
    public static IEnumerable<object[]> Files => Transcript.Files("Imap");

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Transcript_runs(string name)
    {
        var world = new MailWorld();
        await world.DeliverAsync("alice", MailWorld.Message(1));
        await world.DeliverAsync("alice", MailWorld.Message(2));
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        await Transcript.RunAsync(client, "Imap", name);
    }
}
