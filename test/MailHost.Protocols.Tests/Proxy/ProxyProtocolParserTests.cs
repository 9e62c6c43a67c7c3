using System.Buffers;
using System.Net;
using System.Text;
using CsCheck;
using MailHost.Protocols.Proxy;
using MailHost.Protocols.Tests.Support;

namespace MailHost.Protocols.Tests.Proxy;

public class ProxyProtocolParserTests
{
    private const string MaxV6 = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";

    private static readonly byte[] Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    // ---- version 1 ----------------------------------------------------------------------------------------------

    public static TheoryData<string, string?, string?> ValidV1 => new()
    {
        // The spec's example (§2.1).
        { "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n", "192.168.0.1:56324", "192.168.0.11:443" },
        // The spec's longest lines (§2.1): 56, 104, 15 and 107 bytes.
        { "PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n", "255.255.255.255:65535", "255.255.255.255:65535" },
        { $"PROXY TCP6 {MaxV6} {MaxV6} 65535 65535\r\n", $"[{MaxV6}]:65535", $"[{MaxV6}]:65535" },
        { "PROXY UNKNOWN\r\n", null, null },
        { $"PROXY UNKNOWN {MaxV6} {MaxV6} 65535 65535\r\n", null, null },
        { "PROXY UNKNOWN anything at all, ignored\r\n", null, null },
        { "PROXY TCP4 0.0.0.0 10.0.0.1 0 0\r\n", "0.0.0.0:0", "10.0.0.1:0" },
        { "PROXY TCP6 2001:db8::1 2001:DB8:0:0:0:0:0:2 51234 993\r\n", "[2001:db8::1]:51234", "[2001:db8::2]:993" },
        { "PROXY TCP6 ::1 :: 1 2\r\n", "[::1]:1", "[::]:2" },
        { "PROXY TCP6 ::ffff:192.0.2.1 fe80:: 143 25\r\n", "[::ffff:192.0.2.1]:143", "[fe80::]:25" },
        { "PROXY TCP6 1:2:3:4:5:6:7:8 1:2:3:4:5:6:192.0.2.9 110 995\r\n", "[1:2:3:4:5:6:7:8]:110", "[1:2:3:4:5:6:c000:209]:995" },
        { "PROXY TCP6 0001:0db8::0:1 a::b 9 10\r\n", "[1:db8::1]:9", "[a::b]:10" },
        { "PROXY TCP6 1:2:3:4:5:6:7:: ::2:3:4:5:6:7:8 9 10\r\n", "[1:2:3:4:5:6:7:0]:9", "[0:2:3:4:5:6:7:8]:10" },
    };

    [Theory]
    [MemberData(nameof(ValidV1))]
    public void Valid_v1_lines_parse_whole_and_with_data_after(string line, string? source, string? destination)
    {
        var header = Encoding.ASCII.GetBytes(line);
        AssertComplete(header, header.Length, 1, ProxyCommand.Proxy, source, destination);
        AssertComplete([.. header, .. "a1 CAPABILITY\r\n"u8], header.Length, 1, ProxyCommand.Proxy, source, destination);
    }

    [Theory]
    [MemberData(nameof(ValidV1))]
    public void Valid_v1_lines_are_incomplete_for_every_prefix_and_parse_at_every_split(string line, string? source, string? destination)
    {
        var header = Encoding.ASCII.GetBytes(line);
        AssertIncompleteForEveryPrefix(header);
        AssertEverySplit([.. header, .. "EHLO x\r\n"u8], header.Length, 1, ProxyCommand.Proxy, source, destination);
    }

    [Theory]
    [InlineData("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\n", "PROXY v1 header must end with CRLF")]
    [InlineData("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\rX", "PROXY v1 header must end with CRLF")]
    [InlineData("PROXY UNKNOWN\n", "PROXY v1 header must end with CRLF")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n", "PROXY v1 bad destination port")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 99999\r\n", "PROXY v1 bad destination port")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 443a\r\n", "PROXY v1 bad destination port")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 0443 1\r\n", "PROXY v1 bad source port")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 -1 1\r\n", "PROXY v1 bad source port")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 100000 1\r\n", "PROXY v1 bad source port")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 +1 1\r\n", "PROXY v1 bad source port")]
    [InlineData("PROXY TCP4 192.168.0.01 5.6.7.8 1 2\r\n", "PROXY v1 bad source address")]
    [InlineData("PROXY TCP4 256.0.0.1 5.6.7.8 1 2\r\n", "PROXY v1 bad source address")]
    [InlineData("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n", "PROXY v1 bad source address")]
    [InlineData("PROXY TCP4 1.2.3.4.5 5.6.7.8 1 2\r\n", "PROXY v1 bad source address")]
    [InlineData("PROXY TCP4 1..3.4 5.6.7.8 1 2\r\n", "PROXY v1 bad source address")]
    [InlineData("PROXY TCP4 ::1 5.6.7.8 1 2\r\n", "PROXY v1 bad source address")]
    [InlineData("PROXY TCP4 0x7f.0.0.1 5.6.7.8 1 2\r\n", "PROXY v1 bad source address")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.08 1 2\r\n", "PROXY v1 bad destination address")]
    [InlineData("PROXY TCP6 192.168.0.1 ::1 1 2\r\n", "PROXY v1 bad source address")]
    [InlineData("PROXY TCP6 ::1 1::2::3 1 2\r\n", "PROXY v1 bad destination address")]
    [InlineData("PROXY TCP6 ::1 12345::1 1 2\r\n", "PROXY v1 bad destination address")]
    [InlineData("PROXY TCP6 ::1 1:2:3:4:5:6:7:8:9 1 2\r\n", "PROXY v1 bad destination address")]
    [InlineData("PROXY TCP6 ::1 1:2:3:4:5:6:7 1 2\r\n", "PROXY v1 bad destination address")]
    [InlineData("PROXY TCP6 ::1 1:2:3:4:5:6:7:8:: 1 2\r\n", "PROXY v1 bad destination address")]
    [InlineData("PROXY TCP6 ::1 ::1:2:3:4:5:6:7:8 1 2\r\n", "PROXY v1 bad destination address")]
    [InlineData("PROXY TCP6 ::1 1: 1 2\r\n", "PROXY v1 bad destination address")]
    [InlineData("PROXY TCP6 ::1 :1 1 2\r\n", "PROXY v1 bad destination address")]
    [InlineData("PROXY TCP6 ::1 ::1%eth0 1 2\r\n", "PROXY v1 bad destination address")]
    [InlineData("PROXY TCP6 ::1 [::1] 1 2\r\n", "PROXY v1 bad destination address")]
    [InlineData("PROXY TCP6 ::1 ::g 1 2\r\n", "PROXY v1 bad destination address")]
    [InlineData("PROXY TCP6 ::1 1:2:3:4:5:6:7:1.2.3.4 1 2\r\n", "PROXY v1 bad destination address")]
    [InlineData("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", "PROXY v1 unknown protocol")]
    [InlineData("PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", "PROXY v1 unknown protocol")]
    [InlineData("PROXY UNKNOWNX\r\n", "PROXY v1 unknown protocol")]
    [InlineData("PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "PROXY v1 unknown protocol")]
    [InlineData("PROXY \r\n", "PROXY v1 unknown protocol")]
    [InlineData("PROXY TCP4\r\n", "PROXY v1 header malformed")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", "PROXY v1 header malformed")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", "PROXY v1 header malformed")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", "PROXY v1 header malformed")]
    [InlineData("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", "PROXY v1 header malformed")]
    [InlineData("PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n", "PROXY v1 header malformed")]
    [InlineData("PROXZ TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "not a PROXY protocol header")]
    [InlineData("PROXY\r\n", "not a PROXY protocol header")]
    [InlineData("A1 CAPABILITY\r\n", "not a PROXY protocol header")]
    [InlineData("EHLO mail.example.com\r\n", "not a PROXY protocol header")]
    [InlineData("\u0016\u0003\u0001\u0000", "not a PROXY protocol header")]
    public void Invalid_v1_lines_report_exact_errors(string line, string expectedError)
    {
        AssertInvalid(Encoding.Latin1.GetBytes(line), expectedError);
    }

    [Fact]
    public void V1_without_crlf_in_107_bytes_is_too_long()
    {
        var line = "PROXY UNKNOWN " + new string('a', 92) + "\r\n"; // 108 bytes
        line.Length.Should().Be(108);
        AssertInvalid(Encoding.ASCII.GetBytes(line), "PROXY v1 header too long");
        AssertInvalid(Encoding.ASCII.GetBytes(line[..107]), "PROXY v1 header too long");
        AssertInvalid(Encoding.ASCII.GetBytes(line[..106] + "\r"), "PROXY v1 header too long"); // CR as the 107th byte
        AssertInvalid(Encoding.ASCII.GetBytes("PROXY " + new string(' ', 200)), "PROXY v1 header too long");

        // 106 bytes and a CR is still a possible 107-byte line.
        Parse(Encoding.ASCII.GetBytes(line[..105] + "\r"), out _, out _, out _).Should().Be(ProxyParseStatus.Incomplete);
    }

    [Fact]
    public void Garbage_is_rejected_at_the_first_wrong_byte()
    {
        AssertInvalid("X"u8.ToArray(), "not a PROXY protocol header");
        AssertInvalid("PX"u8.ToArray(), "not a PROXY protocol header");
        AssertInvalid([0x0D, 0x0A, 0x0D, 0x0B], "not a PROXY protocol header");
        AssertInvalid([0x00], "not a PROXY protocol header");
        Parse("PROXY"u8.ToArray(), out _, out _, out _).Should().Be(ProxyParseStatus.Incomplete);
        Parse([], out _, out _, out _).Should().Be(ProxyParseStatus.Incomplete);
    }

    // ---- version 2 ----------------------------------------------------------------------------------------------

    [Fact]
    public void V2_tcp4_captured_from_haproxy_parses()
    {
        // haproxy's PROXY v2 header in front of an HTTP request: PROXY, TCP over IPv4, 12 address bytes,
        // 172.19.0.1:42578 -> 172.19.0.3:80.
        byte[] input =
        [
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, // signature
            0x21, // version 2, command PROXY
            0x11, // AF_INET, STREAM
            0x00, 0x0C, // 12 bytes follow
            0xAC, 0x13, 0x00, 0x01, // source 172.19.0.1
            0xAC, 0x13, 0x00, 0x03, // destination 172.19.0.3
            0xA6, 0x52, // source port 42578
            0x00, 0x50, // destination port 80
            .. "GET / HTTP/1.1\r\n"u8,
        ];
        AssertComplete(input, 28, 2, ProxyCommand.Proxy, "172.19.0.1:42578", "172.19.0.3:80");
        AssertEverySplit(input, 28, 2, ProxyCommand.Proxy, "172.19.0.1:42578", "172.19.0.3:80");
        AssertIncompleteForEveryPrefix(input[..28]);
    }

    public static TheoryData<string, byte[], ProxyCommand, string?, string?> ValidV2 => new()
    {
        { "TCP over IPv6", V2(0x21, 0x21, [.. IPAddress.Parse("2001:db8::1").GetAddressBytes(), .. IPAddress.Parse("2001:db8::2").GetAddressBytes(), 0xC8, 0x22, 0x03, 0xE1]), ProxyCommand.Proxy, "[2001:db8::1]:51234", "[2001:db8::2]:993" },
        { "UDP over IPv4", V2(0x21, 0x12, [192, 0, 2, 1, 192, 0, 2, 2, 0x00, 0x35, 0x00, 0x35]), ProxyCommand.Proxy, "192.0.2.1:53", "192.0.2.2:53" },
        { "LOCAL health check", V2(0x20, 0x00, []), ProxyCommand.Local, null, null },
        { "LOCAL with an address block, ignored", V2(0x20, 0x11, [1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 0, 2]), ProxyCommand.Local, null, null },
        { "LOCAL ignores even an undefined family", V2(0x20, 0xFF, [1, 2, 3]), ProxyCommand.Local, null, null },
        { "PROXY with UNSPEC family", V2(0x21, 0x00, []), ProxyCommand.Proxy, null, null },
        { "PROXY with UNSPEC family and a TLV", V2(0x21, 0x00, [0x04, 0x00, 0x01, 0x00]), ProxyCommand.Proxy, null, null },
        { "AF_UNIX stream", V2(0x21, 0x31, new byte[216]), ProxyCommand.Proxy, null, null },
        { "AF_INET with unspecified transport", V2(0x21, 0x10, [1, 2, 3]), ProxyCommand.Proxy, null, null },
        {
            "TCP4 with ALPN, AUTHORITY, NOOP and SSL TLVs",
            V2(0x21, 0x11,
            [
                10, 0, 0, 1, 10, 0, 0, 2, 0x30, 0x39, 0x00, 0x8F,
                0x01, 0x00, 0x04, .. "imap"u8, // PP2_TYPE_ALPN
                0x02, 0x00, 0x10, .. "mail.example.com"u8, // PP2_TYPE_AUTHORITY
                0x04, 0x00, 0x00, // PP2_TYPE_NOOP, empty
                0x20, 0x00, 0x0C, 0x01, 0x00, 0x00, 0x00, 0x00, 0x21, 0x00, 0x04, .. "TLSv"u8, // PP2_TYPE_SSL with a sub-TLV
            ]),
            ProxyCommand.Proxy, "10.0.0.1:12345", "10.0.0.2:143"
        },
        { "largest header, 4096 bytes", V2(0x21, 0x11, [127, 0, 0, 1, 127, 0, 0, 2, 0, 1, 0, 2, 0x04, 0x0F, 0xE1, .. new byte[4065]]), ProxyCommand.Proxy, "127.0.0.1:1", "127.0.0.2:2" },
    };

    [Theory]
    [MemberData(nameof(ValidV2))]
    public void Valid_v2_headers_parse_whole_split_and_byte_by_byte(string because, byte[] header, ProxyCommand command, string? source, string? destination)
    {
        _ = because;
        AssertComplete(header, header.Length, 2, command, source, destination);
        AssertComplete([.. header, .. "a1 NOOP\r\n"u8], header.Length, 2, command, source, destination);
        AssertIncompleteForEveryPrefix(header);
        if (header.Length < 300)
        {
            AssertEverySplit([.. header, 0x41], header.Length, 2, command, source, destination);
        }
    }

    public static TheoryData<string, byte[], string> InvalidV2 => new()
    {
        { "version 1 in the binary format", V2(0x11, 0x11, new byte[12]), "PROXY v2 unsupported version" },
        { "version 3", V2(0x31, 0x11, new byte[12]), "PROXY v2 unsupported version" },
        { "command 2", V2(0x22, 0x11, new byte[12]), "PROXY v2 unsupported command" },
        { "command 15", V2(0x2F, 0x11, new byte[12]), "PROXY v2 unsupported command" },
        { "family 4", V2(0x21, 0x41, new byte[12]), "PROXY v2 unsupported address family or transport" },
        { "transport 3", V2(0x21, 0x13, new byte[12]), "PROXY v2 unsupported address family or transport" },
        { "IPv4 block of 11 bytes", V2(0x21, 0x11, new byte[11]), "PROXY v2 address block too short" },
        { "IPv6 block of 35 bytes", V2(0x21, 0x21, new byte[35]), "PROXY v2 address block too short" },
        { "UNIX block of 215 bytes", V2(0x21, 0x31, new byte[215]), "PROXY v2 address block too short" },
        { "TLV header cut short", V2(0x21, 0x11, [.. new byte[12], 0x04, 0x00]), "PROXY v2 TLV truncated" },
        { "TLV value past the block", V2(0x21, 0x11, [.. new byte[12], 0x01, 0x00, 0x05, .. "imap"u8]), "PROXY v2 TLV truncated" },
        { "second TLV past the block", V2(0x21, 0x00, [0x04, 0x00, 0x00, 0x04, 0xFF, 0xFF]), "PROXY v2 TLV truncated" },
    };

    [Theory]
    [MemberData(nameof(InvalidV2))]
    public void Invalid_v2_headers_report_exact_errors(string because, byte[] header, string expectedError)
    {
        _ = because;
        AssertInvalid(header, expectedError);
    }

    [Fact]
    public void V2_header_longer_than_4096_bytes_is_refused_from_the_fixed_part()
    {
        var header = V2(0x21, 0x11, [127, 0, 0, 1, 127, 0, 0, 2, 0, 1, 0, 2, 0x04, 0x0F, 0xE2, .. new byte[4066]]);
        header.Length.Should().Be(4097);
        AssertInvalid(header, "PROXY v2 header too long");
        AssertInvalid(header[..16], "PROXY v2 header too long");
        AssertInvalid([.. Signature, 0x21, 0x11, 0xFF, 0xFF], "PROXY v2 header too long");
    }

    [Fact]
    public void V2_bad_fixed_bytes_are_refused_as_soon_as_they_arrive()
    {
        AssertInvalid([.. Signature[..7], 0x52], "not a PROXY protocol header");
        AssertInvalid([.. Signature, 0x10], "PROXY v2 unsupported version");
        AssertInvalid([.. Signature, 0x23], "PROXY v2 unsupported command");
        AssertInvalid([.. Signature, 0x21, 0x50], "PROXY v2 unsupported address family or transport");
        Parse([.. Signature, 0x20, 0x50], out _, out _, out _).Should().Be(ProxyParseStatus.Incomplete, "LOCAL ignores the family");
    }

    [Fact]
    public void V2_truncated_header_is_incomplete_not_invalid()
    {
        var header = V2(0x21, 0x21, new byte[36]);
        for (var length = 0; length < header.Length; length++)
        {
            Parse(header[..length], out var consumed, out var parsed, out var error).Should().Be(ProxyParseStatus.Incomplete);
            consumed.GetInteger().Should().Be(0);
            parsed.Should().BeNull();
            error.Should().BeNull();
        }
    }

    // ---- properties ---------------------------------------------------------------------------------------------

    [Fact]
    public void Random_bytes_never_throw_and_agree_across_segmentations()
    {
        Gen.Select(Gen.Byte.Array[0, 140], Gen.Int[0, 3], Gen.Int.Array[0, 4]).Sample((bytes, prefix, offsets) =>
        {
            // Steer most samples past the signatures.
            var input = prefix switch
            {
                0 => [.. "PROXY TCP"u8, .. bytes],
                1 => [.. Signature, .. bytes],
                2 => [.. Signature, 0x21, 0x11, 0x00, (byte)bytes.Length, .. bytes],
                _ => bytes,
            };
            AssertConsistent(input, offsets);
        }, iter: 20_000);
    }

    [Fact]
    public void Random_mutations_of_valid_headers_never_throw()
    {
        byte[][] valid =
        [
            .. ValidV1.Select(row => Encoding.ASCII.GetBytes((string)row[0])),
            .. ValidV2.Select(row => (byte[])row[1]).Where(h => h.Length < 300),
        ];
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Select(Gen.Int[0, 300], Gen.Byte).Array[1, 4], Gen.Int.Array[0, 4]).Sample((which, mutations, offsets) =>
        {
            var input = (byte[])valid[which].Clone();
            foreach ((var position, var value) in mutations)
            {
                input[position % input.Length] = value;
            }

            AssertConsistent(input, offsets);
        }, iter: 20_000);
    }

    private static void AssertConsistent(byte[] input, int[] offsets)
    {
        var whole = Parse(input, out var consumed, out var header, out var error);
        (header is not null).Should().Be(whole == ProxyParseStatus.Complete);
        (error is not null).Should().Be(whole == ProxyParseStatus.Invalid);
        var offset = consumed.GetInteger();
        if (whole == ProxyParseStatus.Complete)
        {
            offset.Should().BeInRange(1, input.Length);
        }
        else
        {
            offset.Should().Be(0);
        }

        var split = ByteSequences.SplitRandomly(input, offsets);
        var splitStatus = ProxyProtocolParser.TryParse(split, out var splitConsumed, out var splitHeader, out var splitError);
        splitStatus.Should().Be(whole);
        splitError.Should().Be(error);
        splitHeader.Should().Be(header);
        split.GetOffset(splitConsumed).Should().Be(whole == ProxyParseStatus.Complete ? offset : 0);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static byte[] V2(byte versionAndCommand, byte familyAndTransport, byte[] block) =>
        [.. Signature, versionAndCommand, familyAndTransport, (byte)(block.Length >> 8), (byte)block.Length, .. block];

    private static ProxyParseStatus Parse(byte[] input, out SequencePosition consumed, out ProxyHeader? header, out string? error) =>
        ProxyProtocolParser.TryParse(new ReadOnlySequence<byte>(input), out consumed, out header, out error);

    private static void AssertComplete(byte[] input, int headerLength, int version, ProxyCommand command, string? source, string? destination)
    {
        var buffer = new ReadOnlySequence<byte>(input);
        ProxyProtocolParser.TryParse(buffer, out var consumed, out var header, out var error)
            .Should().Be(ProxyParseStatus.Complete, error);
        AssertHeader(header, version, command, source, destination);
        buffer.GetOffset(consumed).Should().Be(headerLength);
        error.Should().BeNull();
    }

    private static void AssertEverySplit(byte[] input, int headerLength, int version, ProxyCommand command, string? source, string? destination)
    {
        foreach (var split in ByteSequences.EveryTwoWaySplit(input).Append(ByteSequences.OneBytePerSegment(input)))
        {
            ProxyProtocolParser.TryParse(split, out var consumed, out var header, out var error)
                .Should().Be(ProxyParseStatus.Complete, error);
            AssertHeader(header, version, command, source, destination);
            split.GetOffset(consumed).Should().Be(headerLength);
            split.Slice(consumed).ToArray().Should().Equal(input[headerLength..]);
        }
    }

    private static void AssertIncompleteForEveryPrefix(byte[] header)
    {
        for (var length = 0; length < header.Length; length++)
        {
            var prefix = ByteSequences.OneBytePerSegment(header.AsSpan(0, length));
            ProxyProtocolParser.TryParse(prefix, out var consumed, out var parsed, out var error)
                .Should().Be(ProxyParseStatus.Incomplete, "after {0} bytes ({1})", length, error);
            consumed.Should().Be(prefix.Start, "Incomplete never consumes");
            parsed.Should().BeNull();
        }
    }

    private static void AssertInvalid(byte[] input, string expectedError)
    {
        foreach (var buffer in new[] { new ReadOnlySequence<byte>(input), ByteSequences.OneBytePerSegment(input) })
        {
            ProxyProtocolParser.TryParse(buffer, out var consumed, out var header, out var error)
                .Should().Be(ProxyParseStatus.Invalid);
            error.Should().Be(expectedError);
            header.Should().BeNull();
            consumed.Should().Be(buffer.Start);
        }
    }

    private static void AssertHeader(ProxyHeader? header, int version, ProxyCommand command, string? source, string? destination)
    {
        header.Should().NotBeNull();
        header.Version.Should().Be(version);
        header.Command.Should().Be(command);
        header.Source?.ToString().Should().Be(source);
        header.Destination?.ToString().Should().Be(destination);
        (header.Source is null).Should().Be(source is null);
        (header.Destination is null).Should().Be(destination is null);
    }
}
