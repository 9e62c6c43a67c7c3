using System.Text;
using CsCheck;
using MailHost.Protocols.Tests.Support;
using MailHost.Protocols.Text;

namespace MailHost.Protocols.Tests.Text;

public class ProtocolTraceFormatterTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("A1 CAPABILITY\r\n", "A1 CAPABILITY")]
    [InlineData("EHLO x\n", "EHLO x")]
    [InlineData("NOOP\r", "NOOP\\0D")] // a lone CR is not a line ending
    [InlineData("NOOP\r\n\r\n", "NOOP\\0D\\0A")] // only one line ending is dropped
    [InlineData("\r\n", "")]
    [InlineData("a\r\nb\r\n", "a\\0D\\0Ab")]
    [InlineData("tab\there", "tab\\09here")]
    [InlineData("C:\\path\\x", "C:\\5Cpath\\5Cx")] // backslash is always escaped
    [InlineData(" !~", " !~")]
    [InlineData("\u007F", "\\7F")]
    [InlineData("\u0000", "\\00")]
    public void Escapes_ascii_text(string input, string expected)
    {
        ProtocolTraceFormatter.Escape(Encoding.Latin1.GetBytes(input)).Should().Be(expected);
    }

    [Fact]
    public void Tls_hello_shows_as_hex_escapes()
    {
        byte[] hello = [0x16, 0x03, 0x01, 0x00, 0xDB, 0x01, 0x00, 0x00, 0xD7, 0x03, 0x03];
        ProtocolTraceFormatter.Escape(hello).Should().Be(@"\16\03\01\00\DB\01\00\00\D7\03\03");
    }

    [Fact]
    public void Utf8_bytes_show_as_upper_case_hex_escapes()
    {
        ProtocolTraceFormatter.Escape(Encoding.UTF8.GetBytes("SUBJECT Grüße €\r\n")).Should().Be(@"SUBJECT Gr\C3\BC\C3\9Fe \E2\82\AC");
    }

    [Fact]
    public void Every_byte_value_has_its_documented_form()
    {
        for (var b = 0; b < 256; b++)
        {
            var expected = b is >= 0x20 and <= 0x7E and not '\\' ? ((char)b).ToString() : $"\\{b:X2}";
            // Append 'x' so that 0x0A is not taken for a line ending.
            ProtocolTraceFormatter.Escape([(byte)b, (byte)'x']).Should().Be(expected + "x");
        }
    }

    [Fact]
    public void Long_printable_line_is_cut_and_counts_the_hidden_bytes()
    {
        var line = Encoding.ASCII.GetBytes(new string('a', 2000) + "\r\n");
        var escaped = ProtocolTraceFormatter.Escape(line);
        escaped.Length.Should().BeLessThanOrEqualTo(1024);
        escaped.Should().Be(new string('a', 1007) + "... (+993 bytes)");
        escaped.Length.Should().Be(1023, "room for a four-digit count was reserved");
    }

    [Fact]
    public void Exactly_max_length_is_not_cut()
    {
        ProtocolTraceFormatter.Escape(Encoding.ASCII.GetBytes(new string('a', 1024))).Should().Be(new string('a', 1024));
        ProtocolTraceFormatter.Escape(Encoding.ASCII.GetBytes(new string('a', 1024) + "\r\n")).Should().Be(new string('a', 1024));
        ProtocolTraceFormatter.Escape(Encoding.ASCII.GetBytes(new string('a', 1025))).Should().Be(new string('a', 1007) + "... (+18 bytes)");
    }

    [Fact]
    public void Truncation_never_splits_an_escape()
    {
        var binary = new byte[100];
        Array.Fill(binary, (byte)0xFF);
        var escaped = ProtocolTraceFormatter.Escape(binary, maxLength: 40);
        // 40 - "... (+".Length - " bytes)".Length - 3 digits = 24 chars => 8 escapes of 3 chars.
        escaped.Should().Be(string.Concat(Enumerable.Repeat(@"\FF", 8)) + "... (+92 bytes)");
    }

    [Fact]
    public void Max_length_below_the_minimum_is_a_programming_error()
    {
        Action act = () => ProtocolTraceFormatter.Escape("x"u8, maxLength: 31);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Sequence_overload_matches_the_span_overload_for_every_split()
    {
        byte[] line = [.. "a LOGIN \\x "u8, 0x16, 0x03, .. "\r\n"u8];
        var expected = ProtocolTraceFormatter.Escape(line);
        expected.Should().Be(@"a LOGIN \5Cx \16\03");
        foreach (var split in ByteSequences.EveryTwoWaySplit(line).Append(ByteSequences.OneBytePerSegment(line)))
        {
            ProtocolTraceFormatter.Escape(split).Should().Be(expected);
        }
    }

    [Fact]
    public void Sequence_overload_cuts_long_input_without_reading_it_all()
    {
        var line = Encoding.ASCII.GetBytes(new string('b', 100_000) + "\n");
        var split = ByteSequences.Split(line, 10, 50_000);
        ProtocolTraceFormatter.Escape(split, 64).Should().Be(new string('b', 45) + "... (+99955 bytes)");
        ProtocolTraceFormatter.Escape(split, 64).Should().Be(ProtocolTraceFormatter.Escape(line, 64));
    }

    [Fact]
    public void Random_input_respects_the_contract()
    {
        Gen.Select(Gen.Byte.Array[0, 300], Gen.Int[32, 400], Gen.Int.Array[0, 3]).Sample((bytes, maxLength, offsets) =>
        {
            var escaped = ProtocolTraceFormatter.Escape(bytes, maxLength);
            escaped.Length.Should().BeLessThanOrEqualTo(maxLength);
            escaped.All(c => c is >= ' ' and <= '~').Should().BeTrue("the trace is printable ASCII");
            ProtocolTraceFormatter.Escape(ByteSequences.SplitRandomly(bytes, offsets), maxLength).Should().Be(escaped);
            if (!escaped.EndsWith(" bytes)", StringComparison.Ordinal))
            {
                Unescape(escaped).Should().Equal(ExpectedContent(bytes), "an uncut line round-trips");
            }
        }, iter: 10_000);
    }

    private static byte[] ExpectedContent(byte[] bytes) =>
        bytes.AsSpan().EndsWith("\r\n"u8) ? bytes[..^2] : bytes.AsSpan().EndsWith("\n"u8) ? bytes[..^1] : bytes;

    private static byte[] Unescape(string escaped)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] == '\\')
            {
                bytes.Add(Convert.FromHexString(escaped.AsSpan(i + 1, 2))[0]);
                i += 2;
            }
            else
            {
                bytes.Add((byte)escaped[i]);
            }
        }

        return [.. bytes];
    }
}
