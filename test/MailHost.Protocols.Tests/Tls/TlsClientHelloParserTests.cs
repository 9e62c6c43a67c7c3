using System.Buffers;
using CsCheck;
using MailHost.Protocols.Tests.Support;
using MailHost.Protocols.Tls;
using static MailHost.Protocols.Tests.Tls.ClientHelloBuilder;

namespace MailHost.Protocols.Tests.Tls;

public class TlsClientHelloParserTests
{
    public static TheoryData<string, string?, string[], ushort, ushort[], ushort> Expected => new()
    {
        { nameof(ClientHelloSamples.Tls10), "mail.example.com", [], 0x0301, [], 0x0301 },
        { nameof(ClientHelloSamples.Tls12), "mail.example.com", ["imap"], 0x0303, [], 0x0303 },
        { nameof(ClientHelloSamples.Tls13), "mail.example.com", ["imap", "pop3"], 0x0303, [0x0304], 0x0304 },
        { nameof(ClientHelloSamples.HttpAlpn), "www.example.com", ["http/1.1", "h2"], 0x0303, [0x0304, 0x0303, 0x0302, 0x0301], 0x0304 },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void Real_hello_yields_sni_alpn_and_versions(string sample, string? sni, string[] alpn, ushort legacy, ushort[] versions, ushort highest)
    {
        var hello = TlsClientHelloSnifferTests.Sample(sample);
        TlsClientHelloParser.TryParse(new ReadOnlySequence<byte>(hello), out var info).Should().Be(TlsClientHelloParseStatus.Complete);
        AssertInfo(info, sni, alpn, legacy, versions, highest);
    }

    [Theory]
    [MemberData(nameof(Expected))]
    public void Real_hello_is_incomplete_for_every_prefix(string sample, string? sni, string[] alpn, ushort legacy, ushort[] versions, ushort highest)
    {
        var hello = TlsClientHelloSnifferTests.Sample(sample);
        for (var length = 0; length < hello.Length; length++)
        {
            TlsClientHelloParser.TryParse(new ReadOnlySequence<byte>(hello, 0, length), out var partial)
                .Should().Be(TlsClientHelloParseStatus.Incomplete, "after {0} bytes", length);
            partial.Should().BeNull();
        }

        TlsClientHelloParser.TryParse(ByteSequences.OneBytePerSegment(hello), out var info).Should().Be(TlsClientHelloParseStatus.Complete);
        AssertInfo(info, sni, alpn, legacy, versions, highest);
    }

    [Theory]
    [MemberData(nameof(Expected))]
    public void Real_hello_split_at_every_point_parses_the_same(string sample, string? sni, string[] alpn, ushort legacy, ushort[] versions, ushort highest)
    {
        var hello = TlsClientHelloSnifferTests.Sample(sample);
        foreach (var split in ByteSequences.EveryTwoWaySplit(hello))
        {
            TlsClientHelloParser.TryParse(split, out var info).Should().Be(TlsClientHelloParseStatus.Complete);
            AssertInfo(info, sni, alpn, legacy, versions, highest);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(64)]
    [InlineData(100)]
    public void Hello_fragmented_over_several_records_is_reassembled(int fragmentSize)
    {
        var records = Frame(MessageOf(ClientHelloSamples.Tls13), fragmentSize);
        for (var length = 0; length < records.Length; length++)
        {
            TlsClientHelloParser.TryParse(new ReadOnlySequence<byte>(records, 0, length), out _)
                .Should().Be(TlsClientHelloParseStatus.Incomplete, "after {0} bytes", length);
        }

        TlsClientHelloParser.TryParse(new ReadOnlySequence<byte>(records), out var info).Should().Be(TlsClientHelloParseStatus.Complete);
        AssertInfo(info, "mail.example.com", ["imap", "pop3"], 0x0303, [0x0304], 0x0304);

        TlsClientHelloParser.TryParse(ByteSequences.OneBytePerSegment(records), out info).Should().Be(TlsClientHelloParseStatus.Complete);
        AssertInfo(info, "mail.example.com", ["imap", "pop3"], 0x0303, [0x0304], 0x0304);
    }

    [Fact]
    public void Fragmented_hello_split_at_every_point_parses_the_same()
    {
        var records = Frame(MessageOf(ClientHelloSamples.Tls12), 7);
        foreach (var split in ByteSequences.EveryTwoWaySplit(records))
        {
            TlsClientHelloParser.TryParse(split, out var info).Should().Be(TlsClientHelloParseStatus.Complete);
            info!.ServerName.Should().Be("mail.example.com");
        }
    }

    [Fact]
    public void Bytes_after_the_hello_are_ignored()
    {
        byte[] withMore = [.. ClientHelloSamples.Tls13, 0x14, 0x03, 0x03, 0x00, 0x01, 0x01, 0x17, 0x03];
        TlsClientHelloParser.TryParse(new ReadOnlySequence<byte>(withMore), out var info).Should().Be(TlsClientHelloParseStatus.Complete);
        info!.ApplicationProtocols.Should().Equal("imap", "pop3");
    }

    [Fact]
    public void Hello_without_extensions_tls10_layout_has_no_sni_and_no_alpn()
    {
        var record = Record(Message(legacyVersion: 0x0301));
        TlsClientHelloParser.TryParse(new ReadOnlySequence<byte>(record), out var info).Should().Be(TlsClientHelloParseStatus.Complete);
        AssertInfo(info, null, [], 0x0301, [], 0x0301);
    }

    [Fact]
    public void Empty_extension_block_is_accepted()
    {
        var record = Record(Message(extensions: []));
        TlsClientHelloParser.TryParse(new ReadOnlySequence<byte>(record), out var info).Should().Be(TlsClientHelloParseStatus.Complete);
        info!.ServerName.Should().BeNull();
    }

    [Fact]
    public void Unknown_name_types_are_skipped_and_the_host_name_found()
    {
        var record = Record(Message(extensions: [ServerName((7, "opaque"), (0, "IMAP.Example.org"))]));
        TlsClientHelloParser.TryParse(new ReadOnlySequence<byte>(record), out var info).Should().Be(TlsClientHelloParseStatus.Complete);
        info!.ServerName.Should().Be("IMAP.Example.org", "the name is returned as sent");
    }

    [Fact]
    public void Grease_alpn_and_versions_are_kept_and_decoded_losslessly()
    {
        var record = Record(Message(extensions:
        [
            Alpn("\u001A\u001A", "h2", "http/1.1"),
            SupportedVersions(0x2A2A, 0x0304, 0x0303),
        ]));
        TlsClientHelloParser.TryParse(new ReadOnlySequence<byte>(record), out var info).Should().Be(TlsClientHelloParseStatus.Complete);
        info!.ApplicationProtocols.Should().Equal("\u001A\u001A", "h2", "http/1.1");
        info.SupportedVersions.Should().Equal(0x2A2A, 0x0304, 0x0303);
        info.HighestOfferedVersion.Should().Be(0x0304, "GREASE 0x2A2A is not a version");
        TlsAlpnPolicy.OffersOnlyForeignProtocols(info.ApplicationProtocols).Should().BeTrue();
    }

    [Fact]
    public void Largest_allowed_message_is_accepted_and_one_byte_more_is_invalid()
    {
        // 64 KiB message = 4-byte header + body; the body is a valid hello padded with an unknown extension.
        var paddingData = TlsClientHelloParser.MaxHandshakeMessageLength - Message(extensions: [Extension(0xFFCE, [])]).Length;
        var largest = Message(extensions: [Extension(0xFFCE, new byte[paddingData])]);
        largest.Length.Should().Be(TlsClientHelloParser.MaxHandshakeMessageLength);
        TlsClientHelloParser.TryParse(new ReadOnlySequence<byte>(Frame(largest, 1 << 14)), out _).Should().Be(TlsClientHelloParseStatus.Complete);

        var tooLarge = Message(extensions: [Extension(0xFFCE, new byte[paddingData + 1])]);
        var records = Frame(tooLarge, 1 << 14);
        TlsClientHelloParser.TryParse(new ReadOnlySequence<byte>(records), out _).Should().Be(TlsClientHelloParseStatus.Invalid);
        // Refused from the header alone, without waiting for 64 KiB.
        TlsClientHelloParser.TryParse(new ReadOnlySequence<byte>(records, 0, 9), out _).Should().Be(TlsClientHelloParseStatus.Invalid);
    }

    public static TheoryData<string, byte[]> InvalidInputs()
    {
        var tls12 = ClientHelloSamples.Tls12;
        var message = MessageOf(tls12);
        return new()
        {
            { "application data record", [0x17, 0x03, 0x03, 0x00, 0x01, 0x00] },
            { "alert record", [0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28] },
            { "SSLv2 hello", Convert.FromHexString("801F0103010006000000100000030000") },
            { "record major version 2", [0x16, 0x02, 0x00, .. tls12[3..]] },
            { "record minor version 5", [0x16, 0x03, 0x05, .. tls12[3..]] },
            { "zero-length record", [0x16, 0x03, 0x01, 0x00, 0x00] },
            { "record longer than 2^14", [0x16, 0x03, 0x01, 0x40, 0x01, 0x01] },
            { "server hello", Record([0x02, 0x00, 0x00, 0x26, .. new byte[0x26]]) },
            { "handshake header split, then wrong type", [0x16, 0x03, 0x01, 0x00, 0x01, 0x0B] },
            { "second record is not a handshake", [.. Record(message[..10]), .. Record(message[10..], contentType: 0x17)] },
            { "second record bad version", [.. Record(message[..10]), .. Record(message[10..], version: 0x0305)] },
            { "handshake length one short", Record([0x01, .. U24(message.Length - 5), .. message[4..^1]]) },
            { "handshake length one long, padded", Record([0x01, .. U24(message.Length - 3), .. message[4..], 0x00]) },
            { "empty body", Record([0x01, 0x00, 0x00, 0x00]) },
            { "legacy version 2.0", Record(Message(legacyVersion: 0x0200)) },
            { "session id of 33 bytes", Record(Message(sessionId: new byte[33])) },
            { "no cipher suites", Record(Message(cipherSuites: [])) },
            { "odd cipher suites length", Record(Message(cipherSuites: [0x00, 0x2F, 0x00])) },
            { "no compression methods", Record(Message(compressionMethods: [])) },
            { "extension block length too long", Record(PatchExtensionsLength(Message(extensions: [Alpn("imap")]), +1)) },
            { "extension block length too short", Record(PatchExtensionsLength(Message(extensions: [Alpn("imap")]), -1)) },
            { "truncated extension header", Record(Message(extensions: [[0x00]])) },
            { "extension data past the block", Record(Message(extensions: [[0x00, 0x10, 0x00, 0x09, 0x00]])) },
            { "two server_name extensions", Record(Message(extensions: [ServerName((0, "a.example")), ServerName((0, "b.example"))])) },
            { "two host_names", Record(Message(extensions: [ServerName((0, "a.example"), (0, "b.example"))])) },
            { "empty host_name", Record(Message(extensions: [ServerName((0, ""))])) },
            { "host_name with NUL", Record(Message(extensions: [ServerName((0, "mail.example.com\0.evil"))])) },
            { "host_name with space", Record(Message(extensions: [ServerName((0, "mail example"))])) },
            { "host_name with 8-bit byte", Record(Message(extensions: [ServerName((0, "m\u00E4il.example"))])) },
            { "host_name of 256 bytes", Record(Message(extensions: [ServerName((0, new string('a', 256)))])) },
            { "empty server_name list", Record(Message(extensions: [Extension(0, Vector16([]))])) },
            { "empty server_name data", Record(Message(extensions: [Extension(0, [])])) },
            { "server_name list length past data", Record(Message(extensions: [Extension(0, [0x00, 0x09, 0x00, 0x00, 0x01, 0x61])])) },
            { "server_name trailing byte", Record(Message(extensions: [Extension(0, [.. Vector16([0x00, 0x00, 0x01, 0x61]), 0x00])])) },
            { "two ALPN extensions", Record(Message(extensions: [Alpn("imap"), Alpn("pop3")])) },
            { "empty ALPN protocol name", Record(Message(extensions: [Alpn("imap", "")])) },
            { "empty ALPN list", Record(Message(extensions: [Extension(16, Vector16([]))])) },
            { "ALPN name length past list", Record(Message(extensions: [Extension(16, Vector16([0x05, 0x69, 0x6D, 0x61, 0x70]))])) },
            { "odd supported_versions", Record(Message(extensions: [Extension(43, [0x03, 0x03, 0x04, 0x03])])) },
            { "empty supported_versions", Record(Message(extensions: [Extension(43, [0x00])])) },
        };
    }

    [Theory]
    [MemberData(nameof(InvalidInputs))]
    public void Malformed_hellos_are_invalid_never_exceptions(string because, byte[] input)
    {
        TlsClientHelloParser.TryParse(new ReadOnlySequence<byte>(input), out var info).Should().Be(TlsClientHelloParseStatus.Invalid, because);
        info.Should().BeNull();
        TlsClientHelloParser.TryParse(ByteSequences.OneBytePerSegment(input), out _).Should().Be(TlsClientHelloParseStatus.Invalid, because);
    }

    [Theory]
    [MemberData(nameof(Expected))]
    public void Every_single_byte_corruption_of_a_real_hello_gets_the_answer_its_position_calls_for(string sample, string? sni, string[] alpn, ushort legacy, ushort[] versions, ushort highest)
    {
        _ = (sni, alpn, legacy, versions, highest);
        var hello = TlsClientHelloSnifferTests.Sample(sample);
        var copy = new byte[hello.Length];
        var checkedComplete = 0;
        var undetermined = 0;
        foreach (var value in new byte[] { 0x00, 0x01, 0x7F, 0x80, 0xFF })
        {
            for (var i = 0; i < hello.Length; i++)
            {
                hello.CopyTo(copy, 0);
                copy[i] = value;
                var expected = ClientHelloCorruptionOracle.Expect(hello, i, value);
                var because = $"byte {i} (0x{hello[i]:X2}) set to 0x{value:X2}: expected {expected}";
                var status = TlsClientHelloParser.TryParse(new ReadOnlySequence<byte>(copy), out var info);
                if (expected.Undetermined)
                {
                    (info is not null).Should().Be(status == TlsClientHelloParseStatus.Complete, because);
                    undetermined++;
                    continue;
                }

                if (expected.Status is null)
                {
                    status.Should().NotBe(TlsClientHelloParseStatus.Complete, because);
                }
                else
                {
                    status.Should().Be(expected.Status, because);
                }

                if (status != TlsClientHelloParseStatus.Complete)
                {
                    info.Should().BeNull(because);
                    continue;
                }

                info!.ServerName.Should().Be(expected.ServerName, because);
                info.ApplicationProtocols.Should().Equal(expected.Alpn, because);
                info.LegacyVersion.Should().Be(expected.Legacy, because);
                info.SupportedVersions.Should().Equal(expected.Versions, because);
                checkedComplete++;
            }
        }

        checkedComplete.Should().BeGreaterThan(5 * 32, "every byte of the random at least is opaque");
        undetermined.Should().BeLessThan(hello.Length / 10, "nearly every corruption has one right answer");
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        Gen.Select(Gen.Byte.Array[0, 400], Gen.Bool).Sample((bytes, looksLikeTls) =>
        {
            if (looksLikeTls && bytes.Length >= 6)
            {
                // Steer half the cases past the record header into the body parser.
                bytes[0] = 0x16;
                bytes[1] = 0x03;
                bytes[2] = 0x01;
                bytes[3] = (byte)((bytes.Length - 5) >> 8);
                bytes[4] = (byte)(bytes.Length - 5);
                bytes[5] = 0x01;
            }

            var status = TlsClientHelloParser.TryParse(new ReadOnlySequence<byte>(bytes), out var info);
            (info is not null).Should().Be(status == TlsClientHelloParseStatus.Complete);
        }, iter: 20_000);
    }

    [Fact]
    public void Random_mutations_of_real_hellos_never_throw_and_agree_across_segmentations()
    {
        byte[][] samples = [ClientHelloSamples.Tls10, ClientHelloSamples.Tls12, ClientHelloSamples.Tls13, ClientHelloSamples.HttpAlpn, Frame(MessageOf(ClientHelloSamples.Tls13), 50)];
        Gen.Select(Gen.Int[0, samples.Length - 1], Gen.Select(Gen.Int[0, 400], Gen.Byte).Array[1, 6], Gen.Int[0, 400], Gen.Int.Array[0, 4])
            .Sample((which, mutations, cutAt, offsets) =>
            {
                var bytes = (byte[])samples[which].Clone();
                foreach ((var position, var value) in mutations)
                {
                    bytes[position % bytes.Length] = value;
                }

                bytes = bytes[..Math.Min(bytes.Length, cutAt + 1)];
                var whole = TlsClientHelloParser.TryParse(new ReadOnlySequence<byte>(bytes), out var info);
                (info is not null).Should().Be(whole == TlsClientHelloParseStatus.Complete);
                var split = TlsClientHelloParser.TryParse(ByteSequences.SplitRandomly(bytes, offsets), out var splitInfo);
                split.Should().Be(whole);
                splitInfo?.ServerName.Should().Be(info!.ServerName);
            }, iter: 20_000);
    }

    private static byte[] PatchExtensionsLength(byte[] message, int delta)
    {
        // Message(): header(4) + version(2) + random(32) + session(1) + suites(2+2) + compression(1+1) = offset 45.
        var length = (message[45] << 8) | message[46];
        var copy = (byte[])message.Clone();
        copy[45] = (byte)((length + delta) >> 8);
        copy[46] = (byte)(length + delta);
        return copy;
    }

    private static void AssertInfo(TlsClientHelloInfo? info, string? sni, string[] alpn, ushort legacy, ushort[] versions, ushort highest)
    {
        info.Should().NotBeNull();
        info.ServerName.Should().Be(sni);
        info.ApplicationProtocols.Should().Equal(alpn);
        info.LegacyVersion.Should().Be(legacy);
        info.SupportedVersions.Should().Equal(versions);
        info.HighestOfferedVersion.Should().Be(highest);
    }
}
