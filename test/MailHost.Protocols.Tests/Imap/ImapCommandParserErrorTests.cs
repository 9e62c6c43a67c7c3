using System.Buffers;
using System.Text;
using CsCheck;
using MailHost.Protocols.Imap;

namespace MailHost.Protocols.Tests.Imap;

public class ImapCommandParserErrorTests
{
    private static ImapParseError SingleError(string input, ImapParserOptions? options = null, bool authenticated = true)
    {
        var events = ImapParserDriver.AllSplits(input, options, authenticated);
        return events.OfType<ErrorEvent>().Should().ContainSingle().Subject.Error;
    }

    [Theory]
    [InlineData("a FOO\r\n", "a", "Unknown command")]
    [InlineData("a UID NOOP\r\n", "a", "Unknown command")]
    [InlineData("a\r\n", null, "Missing command name")]
    [InlineData("\r\n", null, "Empty command line")]
    [InlineData("+a NOOP\r\n", null, "Invalid tag")]
    [InlineData("a NOOP x\r\n", "a", "Unexpected characters after the command")]
    [InlineData("a SELECT\r\n", "a", "Missing argument")]
    [InlineData("a LOGIN \"us\0er\" \"pw\"\r\n", "a", "NUL is not allowed here")]
    [InlineData("a SELECT \"\0\"\r\n", "a", "NUL is not allowed here")]
    [InlineData("a LOGIN {3+}\r\nu\0r pw\r\n", "a", "NUL is not allowed here")]
    [InlineData("a LOGIN \"unterminated pw\r\n", "a", "Unterminated quoted string")]
    [InlineData("a LOGIN \"a\\b\" pw\r\n", "a", "Invalid escape in quoted string")]
    [InlineData("a NOOP\n", "a", "Line must end with CRLF")]
    [InlineData("a FETCH 0 FLAGS\r\n", "a", "Invalid sequence set")]
    [InlineData("a FETCH 1:4294967296 FLAGS\r\n", "a", "Invalid sequence set")]
    [InlineData("a UID FETCH 4294967295 FLAGS\r\nb FETCH 1 BOGUS\r\n", "b", "Invalid fetch item")]
    [InlineData("a FETCH 1 BODY[]<0.0>\r\n", "a", "Invalid partial range")]
    [InlineData("a FETCH 1 BODY[]<0.99999999999999999999>\r\n", "a", "Number out of range")]
    [InlineData("a FETCH 1 BINARY[HEADER]\r\n", "a", "Invalid section")]
    [InlineData("a FETCH 1 BODY[MIME]\r\n", "a", "Invalid section")]
    [InlineData("a FETCH 1 FLAGS (VANISHED)\r\n", "a", "VANISHED is only allowed with UID FETCH")]
    [InlineData("a UID FETCH 1 FLAGS (VANISHED)\r\n", "a", "VANISHED requires CHANGEDSINCE")]
    [InlineData("a STORE 1 FLAGS (\\Recent)\r\n", "a", "Invalid flag")]
    [InlineData("a STORE 1 XFLAGS (\\Seen)\r\n", "a", "Invalid store item")]
    [InlineData("a SEARCH BOGUS\r\n", "a", "Invalid search key")]
    [InlineData("a SEARCH SINCE 30-Feb-2020\r\n", "a", "Invalid date")]
    [InlineData("a SEARCH RETURN (FOO) ALL\r\n", "a", "Invalid RETURN option")]
    [InlineData("a SORT (BOGUS) UTF-8 ALL\r\n", "a", "Invalid sort criterion")]
    [InlineData("a THREAD X-FOO UTF-8 ALL\r\n", "a", "Unsupported thread algorithm")]
    [InlineData("a STATUS INBOX (FOO)\r\n", "a", "Invalid status item")]
    [InlineData("a LIST (FOO) \"\" *\r\n", "a", "Invalid LIST option")]
    [InlineData("a LIST (RECURSIVEMATCH) \"\" *\r\n", "a", "Invalid LIST option")]
    [InlineData("a LIST (RECURSIVEMATCH REMOTE) \"\" *\r\n", "a", "Invalid LIST option")]
    [InlineData("a SELECT INBOX (FOO)\r\n", "a", "Invalid SELECT/EXAMINE parameter")]
    [InlineData("a AUTHENTICATE PLAIN dGVz!\r\n", "a", "Invalid base64")]
    [InlineData("a APPEND INBOX\r\n", "a", "Invalid APPEND arguments")]
    [InlineData("a APPEND INBOX (\\Seen) \"bad date\" {3}\r\n", "a", "Invalid date")]
    [InlineData("a LOGIN ~{3}\r\n", "a", "literal8 is only allowed for APPEND data")]
    [InlineData("a LOGIN \"\xff\" x\r\n", "a", "Invalid UTF-8")]
    public void Invalid_commands_give_exact_errors_and_the_stream_stays_in_step(string input, string? tag, string text)
    {
        // Latin-1 keeps \xff a single byte.
        var events = ImapParserDriver.Run(Encoding.Latin1.GetBytes(input + "z NOOP\r\n"), [], ImapParserDriver.NewParser());
        var error = events.OfType<ErrorEvent>().Should().ContainSingle().Subject.Error;
        error.Should().Be(new ImapParseError(tag, ImapResponseStatus.Bad, null, text, ImapResync.None));
        events.Last().As<CommandEvent>().Command.Tag.Should().Be("z");
    }

    [Fact]
    public void A_command_line_of_the_maximum_length_passes_and_one_byte_more_closes()
    {
        var prefix = "a LOGIN x ";
        var atMax = prefix + new string('p', (64 * 1024) - prefix.Length - 2) + "\r\n";
        atMax.Length.Should().Be(64 * 1024);
        ImapParserDriver.Whole(atMax).Single().Should().BeOfType<CommandEvent>();

        var over = prefix + new string('p', (64 * 1024) - prefix.Length - 1) + "\r\n";
        var error = ImapParserDriver.Whole(over).Single().As<ErrorEvent>().Error;
        error.Should().Be(new ImapParseError("a", ImapResponseStatus.Bad, "TOOBIG", "Command line too long", ImapResync.Close));

        // No line end at all: refused as soon as the limit is passed, without waiting for more.
        var parser = ImapParserDriver.NewParser();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(new byte[(64 * 1024) + 1]));
        parser.TryParse(ref reader, out _, out var flood).Should().Be(ImapParseStatus.Error);
        flood!.Resync.Should().Be(ImapResync.Close);
        flood.Text.Should().Be("Command line too long");
    }

    [Fact]
    public void Line_length_counts_every_fragment_but_not_literal_data()
    {
        var options = new ImapParserOptions { MaxLineLength = 64 };
        string literal = new('x', 1000);
        ImapParserDriver.Whole($"a LOGIN {{1000+}}\r\n{literal} pw\r\n", options).Single().As<CommandEvent>().Command
            .As<LoginCommand>().UserName.Should().Be(literal);
        var error = ImapParserDriver.Whole("a LOGIN {1+}\r\nx " + new string('p', 60) + "\r\n", options).Single().As<ErrorEvent>().Error;
        error.Text.Should().Be("Command line too long");
    }

    [Theory]
    [InlineData("a LOGIN {8193}\r\n", false, "a", "Literal too big", ImapResync.None, 0)]
    [InlineData("a LOGIN {65537}\r\n", true, "a", "Literal too big", ImapResync.None, 0)]
    [InlineData("a LOGIN {65537+}\r\n", true, "a", "Literal too big", ImapResync.DiscardCommand, 65537)]
    [InlineData("a APPEND INBOX {4294967296}\r\n", true, "a", "Message exceeds APPENDLIMIT", ImapResync.None, 0)]
    [InlineData("a APPEND INBOX {99999999999999999999}\r\n", true, "a", "Message exceeds APPENDLIMIT", ImapResync.None, 0)]
    [InlineData("a APPEND INBOX {8193}\r\n", false, "a", "Literal too big", ImapResync.None, 0)]
    public void Oversized_literals_are_refused_before_any_continuation(
        string input, bool authenticated, string tag, string text, ImapResync resync, long skip)
    {
        var events = ImapParserDriver.AllSplits(input, authenticated: authenticated);
        events.Should().ContainSingle("no continuation may precede the refusal");
        var error = events[0].As<ErrorEvent>().Error;
        error.Tag.Should().Be(tag);
        error.Code.Should().Be("TOOBIG");
        error.Text.Should().Be(text);
        error.Status.Should().Be(text.StartsWith("Message", StringComparison.Ordinal) ? ImapResponseStatus.No : ImapResponseStatus.Bad);
        error.Resync.Should().Be(resync);
        error.SkipBytes.Should().Be(skip);
    }

    [Theory]
    [InlineData("a APPEND INBOX {-1}\r\n")]
    [InlineData("a APPEND INBOX {12a}\r\n")]
    [InlineData("a APPEND INBOX { 5}\r\n")]
    [InlineData("a LOGIN {}\r\n")]
    [InlineData("a LOGIN {5++}\r\n")]
    public void Malformed_literal_markers_close_the_connection(string input)
    {
        var error = SingleError(input);
        error.Should().Be(new ImapParseError("a", ImapResponseStatus.Bad, null, "Invalid literal", ImapResync.Close));
    }

    [Fact]
    public void A_refused_literal_plus_is_skipped_by_its_exact_size_and_the_rest_of_its_command_dropped()
    {
        // The refused literal holds what looks like a command; then the command goes on with another LITERAL+.
        var input = "a LOGIN {70000+}\r\n" + new string('x', 69984) + "b DELETE INBOX\r\n {5+}\r\nc NOP\r\nd NOOP\r\n";
        var events = ImapParserDriver.Whole(input);
        events.Should().HaveCount(2);
        events[0].As<ErrorEvent>().Error.Should().Be(new ImapParseError("a", ImapResponseStatus.Bad, "TOOBIG", "Literal too big", ImapResync.DiscardCommand, 70000));
        events[1].As<CommandEvent>().Command.Should().BeEquivalentTo(new NoopCommand("d"));
    }

    [Fact]
    public void Literal_minus_refuses_non_synchronizing_literals_over_4096()
    {
        var options = new ImapParserOptions { LiteralMinus = true };
        var events = ImapParserDriver.Whole("a APPEND INBOX {4097+}\r\n" + new string('m', 4097) + "\r\nb NOOP\r\n", options);
        events[0].As<ErrorEvent>().Error.Should().Be(
            new ImapParseError("a", ImapResponseStatus.Bad, "TOOBIG", "Non-synchronizing literal over 4096 bytes (LITERAL-)", ImapResync.DiscardCommand, 4097));
        events[1].As<CommandEvent>().Command.Tag.Should().Be("b");
        ImapParserDriver.Whole("a APPEND INBOX {4096+}\r\n" + new string('m', 4096) + "\r\n", options)[0].Should().BeOfType<AppendEvent>();
    }

    [Fact]
    public void Total_buffered_literal_bytes_per_command_are_capped()
    {
        var options = new ImapParserOptions { MaxLiteralBytesPerCommand = 10 };
        var error = ImapParserDriver.Whole("a LOGIN {6+}\r\nabcdef {6}\r\n", options).Single().As<ErrorEvent>().Error;
        error.Should().Be(new ImapParseError("a", ImapResponseStatus.Bad, "TOOBIG", "Too many literal bytes in one command", ImapResync.None));
    }

    [Fact]
    public void Appends_beyond_the_message_count_limit_are_refused()
    {
        var options = new ImapParserOptions { MaxAppendMessages = 2 };
        var events = ImapParserDriver.Whole("a APPEND x {1+}\r\n1 {1+}\r\n2 {1+}\r\n3\r\nb NOOP\r\n", options);
        events.Select(e => e.GetType().Name).Should().Equal("AppendEvent", "AppendEvent", "ErrorEvent", "CommandEvent");
        events[2].As<ErrorEvent>().Error.Text.Should().Be("Too many messages in one APPEND");
    }

    [Fact]
    public void A_tag_longer_than_the_limit_is_refused_untagged()
    {
        var error = SingleError(new string('t', 65) + " NOOP\r\n");
        error.Should().Be(new ImapParseError(null, ImapResponseStatus.Bad, null, "Tag too long", ImapResync.None));
        ImapParserDriver.Whole(new string('t', 64) + " NOOP\r\n").Single().Should().BeOfType<CommandEvent>();
    }

    [Theory]
    [InlineData("a SEARCH ", "(", "ALL", ")")]
    [InlineData("a SEARCH ", "NOT ", "ALL", "")]
    [InlineData("a SEARCH ", "OR ALL ", "ALL", "")]
    public void Deep_nesting_is_bad_without_exhausting_the_stack(string prefix, string open, string inner, string close)
    {
        const int Depth = 100_000;
        var input = prefix + string.Concat(Enumerable.Repeat(open, Depth)) + inner + string.Concat(Enumerable.Repeat(close, Depth)) + "\r\n";
        var options = new ImapParserOptions { MaxLineLength = 2 * 1024 * 1024 };
        var error = ImapParserDriver.Whole(input, options).Single().As<ErrorEvent>().Error;
        error.Should().Be(new ImapParseError("a", ImapResponseStatus.Bad, null, "Too much nesting", ImapResync.None));

        var allowed = prefix + string.Concat(Enumerable.Repeat(open, 99)) + inner + string.Concat(Enumerable.Repeat(close, 99)) + "\r\n";
        ImapParserDriver.Whole(allowed).Single().Should().BeOfType<CommandEvent>();
    }

    [Fact]
    public void Fetch_with_a_flood_of_parentheses_is_bad()
    {
        var input = "a FETCH 1 " + new string('(', 100_000) + "\r\n";
        var error = ImapParserDriver.Whole(input, new ImapParserOptions { MaxLineLength = 1024 * 1024 }).Single().As<ErrorEvent>().Error;
        error.Status.Should().Be(ImapResponseStatus.Bad);
        error.Resync.Should().Be(ImapResync.None);
    }

    [Fact]
    public void Idle_done_is_read_by_its_own_function()
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("DON"u8.ToArray()));
        ImapCommandParser.TryParseIdleDone(ref reader, "i", out _).Should().Be(ImapParseStatus.Incomplete);
        reader.Consumed.Should().Be(0);

        reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("done\r\na NOOP\r\n"u8.ToArray()));
        ImapCommandParser.TryParseIdleDone(ref reader, "i", out _).Should().Be(ImapParseStatus.Complete);
        reader.Consumed.Should().Be(6);

        reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("a NOOP\r\n"u8.ToArray()));
        ImapCommandParser.TryParseIdleDone(ref reader, "i", out var error).Should().Be(ImapParseStatus.Error);
        error.Should().Be(new ImapParseError("i", ImapResponseStatus.Bad, null, "Expected DONE", ImapResync.None));

        reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(new byte[100]));
        ImapCommandParser.TryParseIdleDone(ref reader, "i", out error).Should().Be(ImapParseStatus.Error);
        error!.Resync.Should().Be(ImapResync.Close);
    }

    [Fact]
    public void Authenticate_lines_are_copied_for_the_sasl_decoder()
    {
        var buffer = new byte[16];
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("dGVzdA==\r\n*\r\n"u8.ToArray()));
        ImapCommandParser.TryParseAuthenticateResponse(ref reader, "a", buffer, out var written, out _).Should().Be(ImapParseStatus.Complete);
        Encoding.ASCII.GetString(buffer, 0, written).Should().Be("dGVzdA==");
        ImapCommandParser.TryParseAuthenticateResponse(ref reader, "a", buffer, out written, out _).Should().Be(ImapParseStatus.Complete);
        Encoding.ASCII.GetString(buffer, 0, written).Should().Be("*");

        reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(new byte[19]));
        ImapCommandParser.TryParseAuthenticateResponse(ref reader, "a", buffer, out _, out var error).Should().Be(ImapParseStatus.Error);
        error.Should().Be(new ImapParseError("a", ImapResponseStatus.Bad, null, "Authentication response too long", ImapResync.Close));
    }

    [Fact]
    public void Reset_forgets_a_half_read_command()
    {
        var parser = ImapParserDriver.NewParser();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("a STARTTLS\r\nXYZ NO"u8.ToArray()));
        parser.TryParse(ref reader, out var command, out _).Should().Be(ImapParseStatus.Complete);
        command.Should().BeOfType<StartTlsCommand>();
        parser.TryParse(ref reader, out _, out _).Should().Be(ImapParseStatus.Incomplete);
        parser.Reset();
        reader = new SequenceReader<byte>(new ReadOnlySequence<byte>("b NOOP\r\n"u8.ToArray()));
        parser.TryParse(ref reader, out command, out _).Should().Be(ImapParseStatus.Complete);
        command.Should().BeEquivalentTo(new NoopCommand("b"));
    }

    // ---- properties ---------------------------------------------------------------------------------------------

    private static readonly string[] Fragments =
    [
        "a ", "b1 ", "UID ", "FETCH ", "STORE ", "SEARCH ", "APPEND ", "LOGIN ", "SELECT ", "LIST ", "SORT ", "THREAD ",
        "1:*", "$", "0", "4294967296", "(", ")", "[", "]", "<0.5>", "BODY.PEEK[HEADER.FIELDS (A B)]", "\"", "\\", "{",
        "}", "{3}\r\n", "{2+}\r\n", "~{1+}\r\n", "{99999999999999999999+}\r\n", "\r\n", "\n", "\r", "\0", " ", "NOT ", "OR ",
        "&", "&Jjo-", "-", "INBOX", "+FLAGS ", "(\\Seen)", "\"1-Jan-2000 00:00:00 +0000\" ", "RETURN (", "CHARSET ", "xyz", "\u00e9",
    ];

    [Fact]
    public void Random_and_mutated_command_lines_never_throw()
    {
        var gen = Gen.OneOf(
            Gen.Int[0, Fragments.Length - 1].Array[1, 30].Select(ix => Encoding.UTF8.GetBytes(string.Concat(ix.Select(i => Fragments[i])))),
            Gen.Byte.Array[0, 80]);
        gen.Select(Gen.Int.Array[0, 4]).Sample((bytes, cuts) =>
        {
            var parser = new ImapCommandParser(new ImapParserOptions { MaxLineLength = 256, MaxLiteralSize = 64 }) { IsAuthenticated = true };
            var cutList = cuts.Select(c => bytes.Length == 0 ? 0 : Math.Abs(c % (bytes.Length + 1))).ToArray();
            ImapParserDriver.Run(bytes, cutList, parser);
        }, iter: 100_000);
    }
}
