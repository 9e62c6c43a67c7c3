using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MailHost.Filtering;
using MailHost.Filtering.ClamAv;
using MailHost.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailHost.IntegrationTests.Filtering.ClamAv;

/// <summary>The ClamAV filter against a real clamd (<see cref="ClamdServer"/>), called as the pipeline calls it.</summary>
public sealed class ClamAvFilterClamdTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    [ClamAvFact]
    public async Task The_EICAR_attachment_is_refused_over_TCP_naming_the_signature()
    {
        await using var clamd = await ClamdServer.StartAsync().WaitAsync(TimeSpan.FromSeconds(90));

        var verdict = await ScanAsync(clamd.TcpAddress, ClamdServer.EicarMessage());

        verdict.Action.Should().Be(InboundFilterAction.Reject, clamd.Output);
        verdict.ReplyCode.Should().Be(554);
        verdict.EnhancedStatusCode.Should().Be("5.7.1");
        verdict.ReplyText.Should().Be($"Message rejected: virus found ({ClamdServer.ReportedName})");
        verdict.Summary.Should().Be("virus=" + ClamdServer.ReportedName);
    }

    [ClamAvFact]
    public async Task The_EICAR_attachment_is_refused_over_the_unix_socket()
    {
        await using var clamd = await ClamdServer.StartAsync().WaitAsync(TimeSpan.FromSeconds(90));

        var verdict = await ScanAsync(clamd.UnixAddress, ClamdServer.EicarMessage());

        verdict.Action.Should().Be(InboundFilterAction.Reject, clamd.Output);
        verdict.ReplyText.Should().Contain(ClamdServer.SignatureName);
    }

    [ClamAvFact]
    public async Task A_clean_message_is_accepted_with_the_scan_fields()
    {
        await using var clamd = await ClamdServer.StartAsync().WaitAsync(TimeSpan.FromSeconds(90));

        var verdict = await ScanAsync(clamd.TcpAddress, ClamdServer.CleanMessage());

        verdict.Action.Should().Be(InboundFilterAction.Accept, clamd.Output);
        verdict.Summary.Should().Be("clean");
        verdict.HeaderChanges.Should().Equal(
            InboundHeaderChange.Replace("X-Virus-Scanned", "ClamAV on mx.example.org"),
            InboundHeaderChange.Replace("X-Virus-Status", "Clean"));
    }

    [ClamAvFact]
    public async Task A_message_of_a_megabyte_is_streamed_in_many_chunks_and_found_clean()
    {
        await using var clamd = await ClamdServer.StartAsync().WaitAsync(TimeSpan.FromSeconds(90));
        var message = new RecordingStream(ClamdServer.CleanMessage(1024 * 1024));

        var verdict = await ScanAsync(clamd.UnixAddress, message);

        verdict.Summary.Should().Be("clean", clamd.Output);
        message.LargestRead.Should().BeLessThanOrEqualTo(ClamAvOptions.DefaultChunkSize);
        message.Reads.Should().BeGreaterThanOrEqualTo(16);
    }

    [ClamAvFact]
    public async Task EICAR_after_a_megabyte_of_text_is_found()
    {
        await using var clamd = await ClamdServer.StartAsync().WaitAsync(TimeSpan.FromSeconds(90));
        var eicar = System.Text.Encoding.ASCII.GetString(ClamdServer.EicarMessage());
        var filler = System.Text.Encoding.ASCII.GetString(ClamdServer.CleanMessage(1024 * 1024));
        var body = filler[(filler.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];

        // The filler goes into the text part, so the attachment arrives in one of the last chunks.
        var message = eicar.Replace("The attachment is the EICAR anti-virus test file.\r\n", body, StringComparison.Ordinal);
        var verdict = await ScanAsync(clamd.TcpAddress, System.Text.Encoding.ASCII.GetBytes(message), chunkSize: 4096);

        verdict.Action.Should().Be(InboundFilterAction.Reject, clamd.Output);
        verdict.ReplyText.Should().Contain(ClamdServer.SignatureName);
    }

    [ClamAvFact]
    public async Task A_message_over_clamds_StreamMaxLength_is_accepted_unscanned()
    {
        await using var clamd = await ClamdServer.StartAsync(streamMaxLength: "1M").WaitAsync(TimeSpan.FromSeconds(90));

        // clamd answers when the stream passes 1 MiB and closes, while the filter is still sending.
        var verdict = await ScanAsync(clamd.TcpAddress, ClamdServer.CleanMessage(8 * 1024 * 1024));

        verdict.Action.Should().Be(InboundFilterAction.Accept, clamd.Output);
        verdict.Summary.Should().Be("skipped: larger than clamd's StreamMaxLength");
        verdict.HeaderChanges.Should().Equal(
            InboundHeaderChange.Replace("X-Virus-Scanned", "skipped (too large)"),
            InboundHeaderChange.Remove("X-Virus-Status"));
    }

    [ClamAvFact]
    public async Task Ping_is_answered_with_PONG_on_both_sockets()
    {
        await using var clamd = await ClamdServer.StartAsync().WaitAsync(TimeSpan.FromSeconds(90));

        var ping = async () =>
        {
            await clamd.Client().PingAsync(CancellationToken.None).WaitAsync(Limit);
            await clamd.Client(unix: true).PingAsync(CancellationToken.None).WaitAsync(Limit);
        };

        await ping.Should().NotThrowAsync();
    }

    [ClamAvFact]
    public async Task A_stopped_clamd_makes_the_filter_throw_quickly_over_TCP_and_the_unix_socket()
    {
        await using var clamd = await ClamdServer.StartAsync().WaitAsync(TimeSpan.FromSeconds(90));
        (await ScanAsync(clamd.TcpAddress, ClamdServer.CleanMessage())).Summary.Should().Be("clean");

        await clamd.StopAsync().WaitAsync(Limit);

        foreach (var address in new[] { clamd.TcpAddress, clamd.UnixAddress })
        {
            var watch = Stopwatch.StartNew();
            var scan = () => ScanAsync(address, ClamdServer.CleanMessage());

            (await scan.Should().ThrowAsync<Exception>()).Which.Should().Match(e => e is SocketException || e is IOException, address);
            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), address);
        }
    }

    private static Task<InboundFilterVerdict> ScanAsync(string address, byte[] message, int chunkSize = ClamAvOptions.DefaultChunkSize)
        => ScanAsync(address, new MemoryStream(message), chunkSize);

    private static async Task<InboundFilterVerdict> ScanAsync(string address, Stream message, int chunkSize = ClamAvOptions.DefaultChunkSize)
    {
        var options = new ClamAvOptions { Address = address, ChunkSize = chunkSize };
        var client = new ClamdClient(ClamAvFilterRegistration.Validate(options, ClamAvOptions.SectionName), options.ChunkSize);
        var filter = new ClamAvFilter(options, client, NullLogger<ClamAvFilter>.Instance, TimeProvider.System);
        var session = new InboundFilterSession
        {
            ServerName = "mx.example.org",
            ConnectionId = "c1",
            ClientAddress = IPAddress.Loopback,
            ClientPort = 40000,
            Protocol = MailProtocol.Smtp,
        };
        var envelope = new InboundFilterEnvelope { TransactionId = "t1", Sender = "sender@example.net" };
        var content = new InboundFilterMessage(message.Length, _ => ValueTask.FromResult(message));
        return await filter.MessageAsync(session, envelope, content, CancellationToken.None).AsTask().WaitAsync(Limit);
    }

    /// <summary>A message stream that records how it is read: in chunks, never whole.</summary>
    private sealed class RecordingStream(byte[] content) : MemoryStream(content)
    {
        public int Reads { get; private set; }

        public int LargestRead { get; private set; }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Reads++;
            LargestRead = Math.Max(LargestRead, buffer.Length);
            return base.ReadAsync(buffer, cancellationToken);
        }
    }
}
