using System.Net;
using MailHost.Filtering;
using MailHost.Filtering.ClamAv;
using MailHost.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailHost.Tests.Filtering.ClamAv;

/// <summary>How the filter maps clamd's answers (from <see cref="FakeClamd"/>) to verdicts.</summary>
public sealed class ClamAvFilterTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_clean_message_is_accepted_with_the_scan_fields_replacing_the_senders()
    {
        await using var clamd = FakeClamd.OnTcp(FakeClamd.Answering("stream: OK\0"));

        var verdict = await ScanAsync(clamd, "Subject: hi\r\n\r\nhello\r\n"u8.ToArray());

        verdict.Action.Should().Be(InboundFilterAction.Accept);
        verdict.Summary.Should().Be("clean");
        verdict.HeaderChanges.Should().Equal(
            InboundHeaderChange.Replace("X-Virus-Scanned", "ClamAV on mx.example.org"),
            InboundHeaderChange.Replace("X-Virus-Status", "Clean"));
    }

    [Fact]
    public async Task A_virus_is_refused_with_554_5_7_1_naming_it()
    {
        await using var clamd = FakeClamd.OnTcp(FakeClamd.Answering("stream: Win.Test.EICAR_HDB-1 FOUND\0"));

        var verdict = await ScanAsync(clamd, "Subject: hi\r\n\r\nhello\r\n"u8.ToArray());

        verdict.Action.Should().Be(InboundFilterAction.Reject);
        verdict.ReplyCode.Should().Be(554);
        verdict.EnhancedStatusCode.Should().Be("5.7.1");
        verdict.ReplyText.Should().Be("Message rejected: virus found (Win.Test.EICAR_HDB-1)");
        verdict.Summary.Should().Be("virus=Win.Test.EICAR_HDB-1");
        verdict.HeaderChanges.Should().BeEmpty();
    }

    [Fact]
    public async Task A_long_virus_name_is_cut()
    {
        await using var clamd = FakeClamd.OnTcp(FakeClamd.Answering($"stream: {new string('V', 500)} FOUND\0"));

        var verdict = await ScanAsync(clamd, "x"u8.ToArray());

        verdict.ReplyText.Should().Be($"Message rejected: virus found ({new string('V', ClamdReply.MaxDetailLength - 3)}...)");
    }

    [Fact]
    public async Task A_message_over_MaxScanSize_is_accepted_unscanned_without_asking_clamd()
    {
        await using var clamd = FakeClamd.OnTcp(FakeClamd.Answering("stream: OK\0"));
        var options = new ClamAvOptions { Address = clamd.Address, MaxScanSize = 10 };

        var verdict = await ScanAsync(clamd, "Subject: hi\r\n\r\nhello\r\n"u8.ToArray(), options);

        verdict.Action.Should().Be(InboundFilterAction.Accept);
        verdict.Summary.Should().Be("skipped: 22 octets exceed MaxScanSize 10");
        verdict.HeaderChanges.Should().Equal(
            InboundHeaderChange.Replace("X-Virus-Scanned", "skipped (too large)"),
            InboundHeaderChange.Remove("X-Virus-Status"));
        clamd.Connections.Should().Be(0);
    }

    [Fact]
    public async Task A_message_at_MaxScanSize_is_scanned()
    {
        await using var clamd = FakeClamd.OnTcp(FakeClamd.Answering("stream: OK\0"));
        var options = new ClamAvOptions { Address = clamd.Address, MaxScanSize = 5 };

        var verdict = await ScanAsync(clamd, "hello"u8.ToArray(), options);

        verdict.Summary.Should().Be("clean");
        clamd.Connections.Should().Be(1);
    }

    [Fact]
    public async Task Clamds_size_limit_answer_accepts_unscanned()
    {
        await using var clamd = FakeClamd.OnTcp(FakeClamd.Answering("INSTREAM size limit exceeded. ERROR\0"));

        var verdict = await ScanAsync(clamd, "Subject: hi\r\n\r\nhello\r\n"u8.ToArray());

        verdict.Action.Should().Be(InboundFilterAction.Accept);
        verdict.Summary.Should().Be("skipped: larger than clamd's StreamMaxLength");
        verdict.HeaderChanges.Should().Contain(InboundHeaderChange.Replace("X-Virus-Scanned", "skipped (too large)"));
    }

    [Fact]
    public async Task An_error_reply_throws_with_clamds_text()
    {
        await using var clamd = FakeClamd.OnTcp(FakeClamd.Answering("stream: Can't allocate memory ERROR\0"));

        var scan = () => ScanAsync(clamd, "x"u8.ToArray());

        (await scan.Should().ThrowAsync<ClamdException>()).WithMessage($"clamd at {clamd.Address} could not scan the message: Can't allocate memory");
    }

    [Fact]
    public async Task A_malformed_reply_throws()
    {
        await using var clamd = FakeClamd.OnTcp(FakeClamd.Answering("UNKNOWN COMMAND\0"));

        var scan = () => ScanAsync(clamd, "x"u8.ToArray());

        (await scan.Should().ThrowAsync<ClamdException>()).WithMessage("*no INSTREAM answer: 'UNKNOWN COMMAND'");
    }

    [Fact]
    public async Task The_message_is_read_in_chunks_never_whole()
    {
        await using var clamd = FakeClamd.OnTcp(FakeClamd.Answering("stream: OK\0"));
        var content = new CountingStream(new byte[1024 * 1024]);
        var options = new ClamAvOptions { Address = clamd.Address, ChunkSize = 4096 };

        var verdict = await ScanAsync(clamd, content, options);

        verdict.Summary.Should().Be("clean");
        content.LargestRead.Should().BeLessThanOrEqualTo(4096);
        content.Reads.Should().BeGreaterThanOrEqualTo(256);
        content.Disposed.Should().BeTrue();
    }

    [Fact]
    public void The_filter_is_named_clamav_and_has_the_ClamAV_defaults()
    {
        var filter = Filter(new ClamAvOptions { Address = "tcp://127.0.0.1:3310" });

        filter.Name.Should().Be("clamav");
        filter.Policy.Order.Should().Be(200);
        filter.Policy.Timeout.Should().Be(TimeSpan.FromSeconds(30));
        filter.Policy.OnFailure.Should().Be(InboundFilterFailurePolicy.TempFail);
        filter.Policy.OnSubmission.Should().BeFalse();
    }

    internal static InboundFilterSession Session() => new()
    {
        ServerName = "mx.example.org",
        ConnectionId = "c1",
        ClientAddress = IPAddress.Parse("192.0.2.7"),
        ClientPort = 40000,
        Protocol = MailProtocol.Smtp,
    };

    internal static InboundFilterEnvelope Envelope() => new() { TransactionId = "t1", Sender = "sender@example.net" };

    private static Task<InboundFilterVerdict> ScanAsync(FakeClamd clamd, byte[] message, ClamAvOptions? options = null)
        => ScanAsync(clamd, new MemoryStream(message), options);

    private static async Task<InboundFilterVerdict> ScanAsync(FakeClamd clamd, Stream message, ClamAvOptions? options = null)
    {
        var filter = Filter(options ?? new ClamAvOptions { Address = clamd.Address });
        var open = new InboundFilterMessage(message.Length, _ => ValueTask.FromResult(message));
        return await filter.MessageAsync(Session(), Envelope(), open, CancellationToken.None).AsTask().WaitAsync(Limit);
    }

    private static ClamAvFilter Filter(ClamAvOptions options)
    {
        var address = ClamAvFilterRegistration.Validate(options, ClamAvOptions.SectionName);
        return new ClamAvFilter(options, new ClamdClient(address, options.ChunkSize), NullLogger<ClamAvFilter>.Instance, TimeProvider.System);
    }

    /// <summary>A message stream that records how it is read.</summary>
    private sealed class CountingStream(byte[] content) : MemoryStream(content)
    {
        public int Reads { get; private set; }

        public int LargestRead { get; private set; }

        public bool Disposed { get; private set; }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Reads++;
            LargestRead = Math.Max(LargestRead, buffer.Length);
            return base.ReadAsync(buffer, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
