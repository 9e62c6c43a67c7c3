using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Pop3;
using Microsoft.Extensions.DependencyInjection;

namespace MailHost.IntegrationTests.Pop3;

/// <summary>The transcripts in Transcripts/Pop3, each against a fresh server where alice has two messages.</summary>
public sealed class Pop3TranscriptTests
{
    public static IEnumerable<object[]> Files => Transcript.Files("Pop3");

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Transcript_runs(string name)
    {
        var world = new MailWorld();
        await world.DeliverAsync("alice", MailWorld.Message(1));
        await world.DeliverAsync("alice", MailWorld.Message(2));
        await using var server = await TestMailServer<Pop3ConnectionHandler>.StartAsync(
            o =>
            {
                o.Protocol = MailProtocol.Pop3;
                o.Tls = MailTlsMode.None;
            },
            services =>
            {
                world.Register(services, allowPlaintext: true);
                services.AddMailHostPop3();
            });
        await using var client = await LineClient.ConnectAsync(server.EndPoint);

        await Transcript.RunAsync(client, "Pop3", name);
    }
}
