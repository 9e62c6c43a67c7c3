using System.Buffers;
using System.Text;
using CsCheck;
using MailHost.Protocols.Tests.Support;
using MailHost.Protocols.Text;

namespace MailHost.Protocols.Tests.Text;

public class DotUnstufferTests
{
    private const string Smuggled = "mail FROM:<smuggled@dom>\r\nrcpt TO:<v@us>\r\ndata\r\nFrom: ceo@bank\r\n\r\nsmuggled body\r\n";

    public static TheoryData<string, string, string> Rows => new()
    {
        { "RFC 5321 §4.5.2 plain message", "Subject: hi\r\n\r\nbody\r\n.\r\n", "Subject: hi\r\n\r\nbody\r\n" },
        { "empty message right after 354", ".\r\n", "" },
        { "first line starts with a dot", "..hidden\r\n.\r\n", ".hidden\r\n" },
        { "stuffed lone dot line", "a\r\n..\r\nb\r\n.\r\n", "a\r\n.\r\nb\r\n" },
        { "dot with text is unstuffed", ".x\r\n.\r\n", "x\r\n" },
        { "dot in the middle of a line stays", "a.b\r\n. \r\n.\r\n", "a.b\r\n \r\n" },
        { "empty lines", "\r\n\r\n.\r\n", "\r\n\r\n" },
        { "8-bit bytes", "\u00e9t\u00e9\r\n.\r\n", "\u00e9t\u00e9\r\n" },
        { "bare LF normalised", "h: v\r\n\r\na\nb\r\n.\r\n", "h: v\r\n\r\na\r\nb\r\n" },
        { "bare CR normalised", "h: v\r\n\r\na\rb\r\n.\r\n", "h: v\r\n\r\na\r\nb\r\n" },
        // SECURITY B2: in the header block a bare line ending folds, so no new header field appears.
        { "bare LF in a header folds", "Subject: hi\nX-Injected: smuggled\r\n\r\nbody\r\n.\r\n", "Subject: hi\r\n X-Injected: smuggled\r\n\r\nbody\r\n" },
        { "bare CR in a header folds", "Subject: hi\rX-Injected: smuggled\r\n\r\nbody\r\n.\r\n", "Subject: hi\r\n X-Injected: smuggled\r\n\r\nbody\r\n" },
        { "bare empty line ends the header", "a: b\n\nbody\nmore\r\n.\r\n", "a: b\r\n\r\nbody\r\nmore\r\n" },
        { "CR CR LF is a bare CR then CRLF", "a\r\r\nb\r\n.\r\n", "a\r\n\r\nb\r\n" },
        { "dot line after bare LF is text", "h: v\r\n\r\na\n.\r\nb\r\n.\r\n", "h: v\r\n\r\na\r\n.\r\nb\r\n" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Rows_unstuff_whole_one_byte_at_a_time_and_at_every_split(string name, string wire, string message)
    {
        _ = name;
        byte[] bytes = [.. Encoding.Latin1.GetBytes(wire), .. "QUIT\r\n"u8];
        var expected = Encoding.Latin1.GetBytes(message);
        var end = bytes.Length - 6;

        var whole = DotTestModel.Unstuff(bytes);
        whole.Message.Should().Equal(expected);
        whole.Consumed.Should().Be(end);
        whole.Unstuffer.MessageLength.Should().Be(expected.Length);

        var oneByte = DotTestModel.Unstuff(bytes, cuts: Enumerable.Range(1, bytes.Length - 1));
        oneByte.Message.Should().Equal(expected);
        oneByte.Consumed.Should().Be(end);

        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var unstuffer = new DotUnstuffer();
            var output = new ArrayBufferWriter<byte>();
            var sequence = ByteSequences.Split(bytes, cut);
            unstuffer.Unstuff(sequence, output, out var consumed).Should().Be(DotUnstuffStatus.Completed);
            sequence.Slice(0, consumed).Length.Should().Be(end);
            output.WrittenSpan.ToArray().Should().Equal(expected);
        }
    }

    [Fact]
    public void Incomplete_data_needs_more_and_consumes_everything()
    {
        var unstuffer = new DotUnstuffer();
        var output = new ArrayBufferWriter<byte>();
        unstuffer.Unstuff("abc\r\n.\r"u8, output, out var used).Should().Be(DotUnstuffStatus.NeedMoreData);
        used.Should().Be(7);
        unstuffer.IsCompleted.Should().BeFalse();
        unstuffer.Unstuff("\nNOOP"u8, output, out used).Should().Be(DotUnstuffStatus.Completed);
        used.Should().Be(1);
        output.WrittenSpan.ToArray().Should().Equal("abc\r\n"u8.ToArray());
        unstuffer.Unstuff("more"u8, output, out used).Should().Be(DotUnstuffStatus.Completed);
        used.Should().Be(0);
    }

    // SECURITY B1: the end-of-data variants of the SMTP-Smuggling-Tools scanner.
    public static TheoryData<string, string> SmugglingVariants => new()
    {
        { "LF.LF", "\n.\n" },
        { "LF.CR", "\n.\r" },
        { "CR.LF", "\r.\n" },
        { "CR.CR", "\r.\r" },
        { "LF.CRLF", "\n.\r\n" },
        { "CR.CRLF", "\r.\r\n" },
        { "CRLF.CR CRLF", "\r\n.\r\r\n" },
        { "CR CRLF.CR CRLF", "\r\r\n.\r\r\n" },
        { "CRLF NUL.CRLF", "\r\n\0.\r\n" },
    };

    [Theory]
    [MemberData(nameof(SmugglingVariants))]
    public void Smuggling_variant_gives_one_message_containing_the_smuggled_text_in_normalize_mode(string name, string variant)
    {
        _ = name;
        var wire = Encoding.ASCII.GetBytes("From: a@b\r\n\r\nTESTING" + variant + Smuggled + ".\r\n" + "QUIT\r\n");
        foreach (var cuts in new[] { [], Enumerable.Range(1, wire.Length - 1) })
        {
            var (message, consumed, unstuffer) = DotTestModel.Unstuff(wire, cuts: cuts);
            consumed.Should().Be(wire.Length - "QUIT\r\n".Length, "only the final CRLF.CRLF ends the data");
            unstuffer.Error.Should().Be(DotUnstuffError.None);
            var text = Encoding.ASCII.GetString(message);
            text.Should().Contain("mail FROM:<smuggled@dom>\r\nrcpt TO:<v@us>\r\ndata\r\n").And.Contain("smuggled body\r\n");
            AssertOnlyCrlf(message);
        }
    }

    [Theory]
    [MemberData(nameof(SmugglingVariants))]
    public void Smuggling_variant_is_refused_in_reject_mode_and_read_to_the_real_end(string name, string variant)
    {
        _ = name;
        var wire = Encoding.ASCII.GetBytes("From: a@b\r\n\r\nTESTING" + variant + Smuggled + ".\r\n" + "QUIT\r\n");
        var options = new DotUnstufferOptions { BareLineEndings = DotBareLineEnding.Reject };
        var (message, consumed, unstuffer) = DotTestModel.Unstuff(wire, options, Enumerable.Range(1, wire.Length - 1));
        consumed.Should().Be(wire.Length - "QUIT\r\n".Length);
        if (variant.Contains('\0', StringComparison.Ordinal))
        {
            // CRLF NUL . CRLF has no bare line ending: it is one ordinary message with the smuggled text inside.
            unstuffer.Error.Should().Be(DotUnstuffError.None);
            Encoding.ASCII.GetString(message).Should().Contain("mail FROM:<smuggled@dom>");
        }
        else
        {
            unstuffer.Error.Should().Be(DotUnstuffError.BareLineEnding);
            Encoding.ASCII.GetString(message).Should().NotContain("smuggled");
        }
    }

    [Fact]
    public void Exact_line_of_1000_octets_is_fine_and_1001_is_counted_or_refused()
    {
        var ok = Encoding.ASCII.GetBytes(new string('a', 998) + "\r\n.\r\n");
        DotTestModel.Unstuff(ok).Unstuffer.LongLineCount.Should().Be(0);

        // The stuffing dot does not count (RFC 5321 §4.5.3.1.6).
        var stuffed = Encoding.ASCII.GetBytes("." + new string('.', 997) + "\r\n.\r\n");
        DotTestModel.Unstuff(stuffed).Unstuffer.LongLineCount.Should().Be(0);

        var longLine = Encoding.ASCII.GetBytes(new string('a', 999) + "\r\nshort\r\n" + new string('b', 5000) + "\r\n.\r\n");
        var counted = DotTestModel.Unstuff(longLine, cuts: [10, 500, 1200]);
        counted.Unstuffer.LongLineCount.Should().Be(2);
        counted.Unstuffer.Error.Should().Be(DotUnstuffError.None);
        counted.Message.Length.Should().Be(longLine.Length - 3);

        var refused = DotTestModel.Unstuff(longLine, new DotUnstufferOptions { RejectLongLines = true });
        refused.Unstuffer.Error.Should().Be(DotUnstuffError.LineTooLong);
        refused.Consumed.Should().Be(longLine.Length);
        refused.Message.Length.Should().BeLessThan(1000);
    }

    [Fact]
    public void Size_limit_stops_writing_but_reads_to_the_end()
    {
        var wire = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("0123456789\r\n", 20)) + ".\r\nQUIT\r\n");
        var (message, consumed, unstuffer) = DotTestModel.Unstuff(wire, new DotUnstufferOptions { MaxMessageSize = 100 }, [7, 50, 51]);
        unstuffer.Error.Should().Be(DotUnstuffError.MessageTooLarge);
        message.Length.Should().BeLessThanOrEqualTo(100);
        unstuffer.MessageLength.Should().Be(message.Length);
        consumed.Should().Be(wire.Length - 6);

        var exact = DotTestModel.Unstuff(Encoding.ASCII.GetBytes("0123456789\r\n.\r\n"), new DotUnstufferOptions { MaxMessageSize = 12 });
        exact.Unstuffer.Error.Should().Be(DotUnstuffError.None);
        exact.Message.Length.Should().Be(12);
    }

    [Theory]
    [InlineData(50, false, DotUnstuffError.MessageTooLarge, 0)] // too large at the second line's 19th octet, long at its 39th
    [InlineData(50, true, DotUnstuffError.MessageTooLarge, 0)]
    [InlineData(100, false, DotUnstuffError.MessageTooLarge, 1)] // long at the 39th, too large at the 69th
    [InlineData(100, true, DotUnstuffError.LineTooLong, 1)]
    public void A_line_that_becomes_long_near_the_size_limit_counts_the_same_however_it_is_split(long maxSize, bool rejectLongLines, DotUnstuffError error, int longLines)
    {
        // Found by fuzzing (fuzz/corpus/dot-unstuff/long-line-at-size-limit.bin): read whole, the line was counted long
        // before the size was checked; read in pieces, the size could fail first and end the counting.
        var wire = Encoding.ASCII.GetBytes(new string('a', 30) + "\r\n" + new string('b', 80) + "\r\n.\r\n");
        var options = new DotUnstufferOptions { MaxMessageSize = maxSize, MaxLineLength = 40, RejectLongLines = rejectLongLines };

        int[][] splits = [[], [.. Enumerable.Range(1, wire.Length - 1)], [40, 60]];
        foreach (var cuts in splits)
        {
            var unstuffer = DotTestModel.Unstuff(wire, options, cuts).Unstuffer;
            unstuffer.Error.Should().Be(error, "cut at {0}", string.Join(',', cuts));
            unstuffer.LongLineCount.Should().Be(longLines, "cut at {0}", string.Join(',', cuts));
        }
    }

    [Fact]
    public void Bare_line_endings_are_counted()
    {
        var result = DotTestModel.Unstuff("a\nb\rc\r\n.\r\n"u8.ToArray());
        result.Unstuffer.BareLineEndingCount.Should().Be(2);
    }

    [Fact]
    public void Only_the_first_exact_CRLF_dot_CRLF_ends_data_for_any_input_and_split() =>
        Gen.Select(Gen.OneOf(Gen.Byte.Array[0, 60], Gen.Char["\r\n.\0ab"].Array[0, 60].Select(Encoding.ASCII.GetBytes)), Gen.Int.Array[0, 4])
            .Sample((wire, offsets) =>
            {
                byte[] withStart = [.. "\r\n"u8, .. wire];
                var index = withStart.AsSpan().IndexOf("\r\n.\r\n"u8);
                var expectedEnd = index < 0 ? -1 : index + 5 - 2;
                var cuts = offsets.Select(o => Math.Abs(o % (wire.Length + 1))).Order().ToArray();
                var (message, consumed, _) = DotTestModel.Unstuff(wire, cuts: cuts);
                consumed.Should().Be(expectedEnd);
                AssertOnlyCrlf(message);
            }, iter: 20_000);

    private static void AssertOnlyCrlf(byte[] message)
    {
        for (var i = 0; i < message.Length; i++)
        {
            if (message[i] == (byte)'\r')
            {
                (i + 1 < message.Length && message[i + 1] == (byte)'\n').Should().BeTrue("a CR is always followed by LF at {0}", i);
            }
            else if (message[i] == (byte)'\n')
            {
                (i > 0 && message[i - 1] == (byte)'\r').Should().BeTrue("an LF always follows CR at {0}", i);
            }
        }
    }
}
