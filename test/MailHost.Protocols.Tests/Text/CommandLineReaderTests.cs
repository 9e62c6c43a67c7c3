using System.Buffers;
using System.Text;
using MailHost.Protocols.Tests.Support;
using MailHost.Protocols.Text;

namespace MailHost.Protocols.Tests.Text;

/// <summary>
/// The line front end the SMTP and POP3 parsers share: framing at CRLF, the limit of each kind of line, the skip
/// after an over-long line, and the characters no command line may hold. Every row runs whole, one byte at a time
/// and split in two at every point.
/// </summary>
public sealed class CommandLineReaderTests
{
    // Small limits keep the rows readable: 16 for a command, 24 for MAIL/RCPT, SASL responses of 8.
    private const int MaxCommand = 16;
    private const int MaxParameter = 24;
    private const int MaxAuthResponse = 8;

    public static TheoryData<string, string[]> Commands => new()
    {
        { "NOOP\r\n", ["Complete NOOP"] },
        { "NOOP\r\nQUIT\r\n", ["Complete NOOP", "Complete QUIT"] },
        { "NOOP", [] },
        // The limit counts the CRLF: 14 octets and CRLF fit, 15 do not.
        { "ABCDEFGHIJKLMN\r\n", ["Complete ABCDEFGHIJKLMN"] },
        { "ABCDEFGHIJKLMNO\r\nNOOP\r\n", ["TooLong", "Complete NOOP"] },
        // The rest of an over-long line is skipped up to its CRLF, however long; the next line is read as usual.
        { "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\r\nNOOP\r\n", ["TooLong", "Complete NOOP"] },
        // MAIL and RCPT lines (in any case) get the parameter limit; other verbs do not.
        { "MAIL FROM:<a@example.com>\r\n", ["TooLong"] },
        { "MAIL FROM:<a@ex.com>\r\n", ["Complete MAIL FROM:<a@ex.com>"] },
        { "rcpt TO:<bob@ex.com>\r\n", ["Complete rcpt TO:<bob@ex.com>"] },
        { "MAILX FROM:<a@ex.com>\r\n", ["TooLong"] },
        // AUTH lines have room for a mechanism and a whole initial response.
        { "AUTH SCRAM-SHA-256 abcdefgh\r\n", ["Complete AUTH SCRAM-SHA-256 abcdefgh"] },
        // SECURITY B2: a bare CR or LF makes the whole line one error, never two commands.
        { "NO\nOP\r\nQUIT\r\n", ["BareLineEnding", "Complete QUIT"] },
        { "NO\rOP\r\n", ["BareLineEnding"] },
        { "NO\0OP\r\n", ["InvalidCharacter"] },
        { "NO\u007FOP\r\n", ["InvalidCharacter"] },
        { "USER j\u00F6rg\r\n", ["Complete USER j\u00F6rg"] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Frames_command_lines_whole_byte_by_byte_and_split_anywhere(string input, string[] expected)
    {
        var bytes = Encoding.UTF8.GetBytes(input);

        Read(bytes, [], authResponses: false).Should().Equal(expected);
        Read(bytes, Enumerable.Range(1, bytes.Length), authResponses: false).Should().Equal(expected);
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            Read(bytes, [cut], authResponses: false).Should().Equal(expected, "split at {0}", cut);
        }
    }

    [Fact]
    public void Malformed_utf8_is_an_invalid_character()
    {
        Read([(byte)'U', (byte)'S', (byte)'E', (byte)'R', (byte)' ', 0xC3, 0x28, (byte)'\r', (byte)'\n'], [], authResponses: false)
            .Should().Equal("InvalidCharacter");
    }

    public static TheoryData<string, string[]> AuthResponses => new()
    {
        { "dGVzdA==\r\n", ["Complete dGVzdA=="] },
        { "*\r\n", ["Complete *"] },
        { "\r\n", ["Complete "] },
        { "dGVzdA==x\r\n=\r\n", ["TooLong", "Complete ="] },
        { "ab\ncd\r\n", ["BareLineEnding"] },
        { "ab\u00E9\r\n", ["InvalidCharacter"] },
        { "a\tb\r\n", ["InvalidCharacter"] },
    };

    [Theory]
    [MemberData(nameof(AuthResponses))]
    public void Frames_sasl_responses_of_printable_ascii_within_their_own_limit(string input, string[] expected)
    {
        var bytes = Encoding.UTF8.GetBytes(input);

        Read(bytes, [], authResponses: true).Should().Equal(expected);
        Read(bytes, Enumerable.Range(1, bytes.Length), authResponses: true).Should().Equal(expected);
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            Read(bytes, [cut], authResponses: true).Should().Equal(expected, "split at {0}", cut);
        }
    }

    [Fact]
    public void An_incomplete_line_consumes_nothing()
    {
        var reader = NewReader();
        var buffer = new ReadOnlySequence<byte>("NOOP\r"u8.ToArray());

        reader.TryReadCommand(buffer, out var consumed, out var line).Should().Be(CommandLineStatus.Incomplete);
        line.Dispose();

        consumed.Should().Be(buffer.Start);
    }

    [Fact]
    public void A_line_split_across_segments_is_handed_over_as_one_span()
    {
        var reader = NewReader();
        var buffer = ByteSequences.OneBytePerSegment("RCPT TO:<b@ex.com>\r\nNOOP"u8);

        reader.TryReadCommand(buffer, out var consumed, out var line).Should().Be(CommandLineStatus.Complete);
        using (line)
        {
            Encoding.ASCII.GetString(line.Text).Should().Be("RCPT TO:<b@ex.com>");
        }

        buffer.Slice(consumed).Length.Should().Be(4);
    }

    [Fact]
    public void Skipping_stops_at_a_buffer_whose_last_octet_starts_a_segment()
    {
        // The slice of the last octet then begins on a segment boundary, with an empty first span.
        var reader = NewReader();
        reader.TryReadCommand(new ReadOnlySequence<byte>("ABCDEFGHIJKLMNOPQRSTUVWXYZ"u8.ToArray()), out _, out var refused).Should().Be(CommandLineStatus.TooLong);
        refused.Dispose();
        var buffer = ByteSequences.Split("0123456789\r"u8, 10);

        reader.TryReadCommand(buffer, out var consumed, out var line).Should().Be(CommandLineStatus.Incomplete);
        line.Dispose();

        buffer.Slice(consumed).Length.Should().Be(1, "a final CR may be half of the CRLF that ends the skipped line");
    }

    [Fact]
    public void Reset_forgets_a_line_being_skipped()
    {
        var reader = NewReader();
        reader.TryReadCommand(new ReadOnlySequence<byte>("ABCDEFGHIJKLMNOPQRSTUVWXYZ"u8.ToArray()), out _, out var refused).Should().Be(CommandLineStatus.TooLong);
        refused.Dispose();
        reader.IsDiscardingLongLine.Should().BeTrue();

        reader.Reset();

        reader.IsDiscardingLongLine.Should().BeFalse();
        reader.TryReadCommand(new ReadOnlySequence<byte>("NOOP\r\n"u8.ToArray()), out _, out var line).Should().Be(CommandLineStatus.Complete);
        line.Dispose();
    }

    private static CommandLineReader NewReader() => new(MaxCommand, MaxAuthResponse, MaxParameter, "MAIL", "RCPT");

    /// <summary>Feeds <paramref name="input"/> in pieces cut at <paramref name="cuts"/>, the way a pipe does; one entry per line.</summary>
    private static List<string> Read(byte[] input, IEnumerable<int> cuts, bool authResponses)
    {
        var reader = NewReader();
        var results = new List<string>();
        var pending = new List<byte>();
        var start = 0;
        foreach (var cut in cuts.Where(c => c < input.Length).Append(input.Length))
        {
            pending.AddRange(input[start..cut]);
            start = cut;
            while (pending.Count > 0)
            {
                var buffer = ByteSequences.Split(pending.ToArray(), pending.Count / 2);
                var wasDiscarding = reader.IsDiscardingLongLine;
                var (status, text, consumed) = authResponses ? ReadAuthResponse(reader, buffer) : ReadCommand(reader, buffer);
                var used = buffer.Slice(0, consumed).Length;
                if (status == CommandLineStatus.Incomplete && !wasDiscarding)
                {
                    used.Should().Be(0, "an incomplete line consumes nothing");
                }

                pending.RemoveRange(0, (int)used);
                if (status == CommandLineStatus.Incomplete)
                {
                    break;
                }

                results.Add(status == CommandLineStatus.Complete ? "Complete " + text : status.ToString());
            }
        }

        return results;
    }

    private static (CommandLineStatus Status, string? Text, SequencePosition Consumed) ReadCommand(CommandLineReader reader, ReadOnlySequence<byte> buffer)
    {
        var status = reader.TryReadCommand(buffer, out var consumed, out var line);
        using (line)
        {
            return (status, Encoding.UTF8.GetString(line.Text), consumed);
        }
    }

    private static (CommandLineStatus Status, string? Text, SequencePosition Consumed) ReadAuthResponse(CommandLineReader reader, ReadOnlySequence<byte> buffer)
    {
        var status = reader.TryReadAuthResponse(buffer, out var consumed, out var response);
        return (status, response, consumed);
    }
}
