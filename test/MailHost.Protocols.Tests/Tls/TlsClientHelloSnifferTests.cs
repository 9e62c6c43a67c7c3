using System.Buffers;
using System.Text;
using CsCheck;
using MailHost.Protocols.Tests.Support;
using MailHost.Protocols.Tls;

namespace MailHost.Protocols.Tests.Tls;

public class TlsClientHelloSnifferTests
{
    public static TheoryData<string> Samples => [nameof(ClientHelloSamples.Tls10), nameof(ClientHelloSamples.Tls12), nameof(ClientHelloSamples.Tls13), nameof(ClientHelloSamples.HttpAlpn)];

    internal static byte[] Sample(string name) => name switch
    {
        nameof(ClientHelloSamples.Tls10) => ClientHelloSamples.Tls10,
        nameof(ClientHelloSamples.Tls12) => ClientHelloSamples.Tls12,
        nameof(ClientHelloSamples.Tls13) => ClientHelloSamples.Tls13,
        nameof(ClientHelloSamples.HttpAlpn) => ClientHelloSamples.HttpAlpn,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Real_hello_whole_is_a_ClientHello(string sample)
    {
        TlsClientHelloSniffer.Classify(new ReadOnlySequence<byte>(Sample(sample))).Should().Be(TlsSniffResult.ClientHello);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Real_hello_one_byte_at_a_time_needs_more_data_until_the_sixth_byte(string sample)
    {
        var hello = Sample(sample);
        for (var length = 0; length <= hello.Length; length++)
        {
            var expected = length < TlsClientHelloSniffer.BytesToDecide ? TlsSniffResult.NeedMoreData : TlsSniffResult.ClientHello;
            TlsClientHelloSniffer.Classify(new ReadOnlySequence<byte>(hello, 0, length)).Should().Be(expected, "after {0} bytes", length);
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Real_hello_split_at_every_point_is_a_ClientHello(string sample)
    {
        var hello = Sample(sample);
        foreach (var split in ByteSequences.EveryTwoWaySplit(hello))
        {
            TlsClientHelloSniffer.Classify(split).Should().Be(TlsSniffResult.ClientHello);
        }

        for (var a = 0; a <= 7; a++)
        {
            for (var b = a; b <= 7; b++)
            {
                TlsClientHelloSniffer.Classify(ByteSequences.Split(hello, a, b)).Should().Be(TlsSniffResult.ClientHello, "cut at {0} and {1}", a, b);
            }
        }

        TlsClientHelloSniffer.Classify(ByteSequences.OneBytePerSegment(hello)).Should().Be(TlsSniffResult.ClientHello);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Prefixes_in_one_byte_segments_need_more_data(string sample)
    {
        var hello = Sample(sample);
        for (var length = 0; length < TlsClientHelloSniffer.BytesToDecide; length++)
        {
            TlsClientHelloSniffer.Classify(ByteSequences.OneBytePerSegment(hello.AsSpan(0, length))).Should().Be(TlsSniffResult.NeedMoreData);
        }
    }

    [Theory]
    [InlineData("A1 CAPABILITY\r\n")]
    [InlineData("EHLO client.example.com\r\n")]
    [InlineData("USER alice\r\n")]
    [InlineData("GET / HTTP/1.1\r\n")]
    [InlineData("PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\n")]
    public void Plain_text_commands_are_not_tls_from_the_first_byte(string line)
    {
        var bytes = Encoding.ASCII.GetBytes(line);
        TlsClientHelloSniffer.Classify(new ReadOnlySequence<byte>(bytes)).Should().Be(TlsSniffResult.NotTls);
        TlsClientHelloSniffer.Classify(new ReadOnlySequence<byte>(bytes, 0, 1)).Should().Be(TlsSniffResult.NotTls);
    }

    [Theory]
    [InlineData("", TlsSniffResult.NeedMoreData)]
    [InlineData("16", TlsSniffResult.NeedMoreData)]
    [InlineData("1603", TlsSniffResult.NeedMoreData)]
    [InlineData("160301", TlsSniffResult.NeedMoreData)]
    [InlineData("16030148", TlsSniffResult.NeedMoreData)] // high length byte 0x48 can still be <= 2^14 + 2048
    [InlineData("1603010200", TlsSniffResult.NeedMoreData)]
    [InlineData("160300000401", TlsSniffResult.ClientHello)] // SSL 3.0 record version
    [InlineData("160304000401", TlsSniffResult.ClientHello)] // 3.4 record version
    [InlineData("160301480001", TlsSniffResult.ClientHello)] // exactly 2^14 + 2048
    [InlineData("160301000101", TlsSniffResult.ClientHello)] // length 1
    [InlineData("17", TlsSniffResult.NotTls)] // application data
    [InlineData("15030100", TlsSniffResult.NotTls)] // alert
    [InlineData("1602", TlsSniffResult.NotTls)] // wrong major version
    [InlineData("1604", TlsSniffResult.NotTls)]
    [InlineData("160305", TlsSniffResult.NotTls)] // minor above TLS 1.3
    [InlineData("160301FF", TlsSniffResult.NotTls)] // high length byte alone exceeds the bound
    [InlineData("16030149", TlsSniffResult.NotTls)]
    [InlineData("1603014801", TlsSniffResult.NotTls)] // 2^14 + 2049
    [InlineData("1603010000", TlsSniffResult.NotTls)] // zero-length record
    [InlineData("160301020002", TlsSniffResult.NotTls)] // ServerHello
    [InlineData("160301020000", TlsSniffResult.NotTls)] // HelloRequest
    [InlineData("801F0103010006000000100000030000", TlsSniffResult.NotTls)] // SSLv2-compatible ClientHello
    [InlineData("8080", TlsSniffResult.NotTls)]
    [InlineData("00", TlsSniffResult.NotTls)]
    public void Classifies_handmade_prefixes(string hex, TlsSniffResult expected)
    {
        var bytes = Convert.FromHexString(hex);
        TlsClientHelloSniffer.Classify(new ReadOnlySequence<byte>(bytes)).Should().Be(expected);
        TlsClientHelloSniffer.Classify(ByteSequences.OneBytePerSegment(bytes)).Should().Be(expected);
        TlsClientHelloSniffer.Classify(bytes.AsSpan()).Should().Be(expected);
    }

    [Fact]
    public void Sixteen_followed_by_a_wrong_version_is_not_tls_even_with_plenty_of_bytes()
    {
        byte[] bytes = [0x16, .. "\r\nA1 NOOP\r\n"u8];
        TlsClientHelloSniffer.Classify(new ReadOnlySequence<byte>(bytes)).Should().Be(TlsSniffResult.NotTls);
    }

    [Fact]
    public void Empty_segments_count_as_no_data()
    {
        var empty = ByteSequences.Split([], 0, 0);
        TlsClientHelloSniffer.Classify(empty).Should().Be(TlsSniffResult.NeedMoreData);

        var leadingEmpty = ByteSequences.Split(ClientHelloSamples.Tls12, 0, 0, 3);
        TlsClientHelloSniffer.Classify(leadingEmpty).Should().Be(TlsSniffResult.ClientHello);
    }

    [Fact]
    public void Random_bytes_and_segmentations_never_throw_and_agree_with_the_span_overload()
    {
        Gen.Select(Gen.Byte.Array[0, 12], Gen.Int.Array[0, 6]).Sample((bytes, offsets) =>
        {
            var contiguous = TlsClientHelloSniffer.Classify(bytes.AsSpan());
            TlsClientHelloSniffer.Classify(ByteSequences.SplitRandomly(bytes, offsets)).Should().Be(contiguous);
        }, iter: 20_000);
    }

    [Fact]
    public void A_decision_never_changes_when_more_bytes_arrive()
    {
        Gen.Select(Gen.Byte.Array[0, 5], Gen.Byte.Array[1, 4]).Sample((prefix, more) =>
        {
            // Bias towards the interesting path: half the samples start like a handshake record.
            var start = prefix.Length > 0 && prefix[0] % 2 == 0 ? [0x16, 0x03, .. prefix.Skip(2)] : prefix;
            var before = TlsClientHelloSniffer.Classify(start.AsSpan());
            var after = TlsClientHelloSniffer.Classify(start.Concat(more).ToArray().AsSpan());
            if (before != TlsSniffResult.NeedMoreData)
            {
                after.Should().Be(before);
            }
        }, iter: 20_000);
    }
}
