using System.Buffers;
using System.Text;
using CsCheck;
using MailHost.Protocols.Imap;

namespace MailHost.Protocols.Tests.Imap;

public class ImapResponseWriterTests
{
    private static string Write(Action<ImapResponseWriter> write, bool utf8 = false)
    {
        var output = new ArrayBufferWriter<byte>();
        write(new ImapResponseWriter(output) { Utf8Enabled = utf8 });
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Fact]
    public void Status_responses_carry_tag_code_and_text_on_one_line()
    {
        Write(w => w.WriteTagged("a1", ImapResponseStatus.Ok, "APPENDUID 38505 3955", "APPEND completed")).Should().Be("a1 OK [APPENDUID 38505 3955] APPEND completed\r\n");
        Write(w => w.WriteUntagged(ImapResponseStatus.Bye, null, "Logging out")).Should().Be("* BYE Logging out\r\n");
        Write(w => w.WriteTagged("a", ImapResponseStatus.No, null, "bad\r\n* 1 EXPUNGE")).Should().Be("a NO bad  * 1 EXPUNGE\r\n");
        Write(w => w.WriteError(new ImapParseError(null, ImapResponseStatus.Bad, "TOOBIG", "Command line too long", ImapResync.Close)))
            .Should().Be("* BAD [TOOBIG] Command line too long\r\n");
        Write(w => w.WriteContinuation("Ready")).Should().Be("+ Ready\r\n");
        Write(w => w.WriteContinuation("Password:"u8)).Should().Be("+ UGFzc3dvcmQ6\r\n");
        Write(w => w.WriteCapability(["IMAP4rev2", "IMAP4rev1", "AUTH=PLAIN", "APPENDLIMIT=52428800"]))
            .Should().Be("* CAPABILITY IMAP4rev2 IMAP4rev1 AUTH=PLAIN APPENDLIMIT=52428800\r\n");
    }

    [Fact]
    public void Threads_are_written_in_the_RFC_5256_section_5_grammar()
    {
        static ImapThreadNode N(uint? number, params ImapThreadNode[] children) => new(number, children);

        Write(w => w.WriteThread([])).Should().Be("* THREAD\r\n");
        // RFC 5256 §4 examples.
        Write(w => w.WriteThread([N(2), N(3, N(6, N(4, N(23)), N(44, N(7, N(96)))))])).Should().Be("* THREAD (2)(3 6 (4 23)(44 7 96))\r\n");
        Write(w => w.WriteThread([N(null, N(3), N(5))])).Should().Be("* THREAD ((3)(5))\r\n");
        // A dummy with one child is just the child; one without children is nothing; one below the top stands for its children.
        Write(w => w.WriteThread([N(null, N(3, N(4)))])).Should().Be("* THREAD (3 4)\r\n");
        Write(w => w.WriteThread([N(null), N(1)])).Should().Be("* THREAD (1)\r\n");
        Write(w => w.WriteThread([N(null, N(null))])).Should().Be("* THREAD\r\n");
        Write(w => w.WriteThread([N(1, N(null, N(2), N(3)))])).Should().Be("* THREAD (1 (2)(3))\r\n");
        Write(w => w.WriteThread([N(1, N(null, N(2)), N(3))])).Should().Be("* THREAD (1 (2)(3))\r\n");
        Write(w => w.WriteThread([N(1, N(null, N(2)))])).Should().Be("* THREAD (1 2)\r\n");
    }

    [Theory]
    [InlineData("foo", "foo")]
    [InlineData("foo]bar", "foo]bar")]
    [InlineData("NIL", "\"NIL\"")]
    [InlineData("nil", "\"nil\"")]
    [InlineData("", "\"\"")]
    [InlineData("a b", "\"a b\"")]
    [InlineData("a%b", "\"a%b\"")]
    [InlineData("say \"hi\" \\o/", "\"say \\\"hi\\\" \\\\o/\"")]
    [InlineData("a\r\nb", "{4}\r\na\r\nb")]
    [InlineData("tab\there", "{8}\r\ntab\there")]
    [InlineData("café", "{5}\r\ncafé")]
    public void Astrings_are_atoms_quoted_strings_or_literals_by_content(string value, string expected)
    {
        Write(w => w.WriteAString(value)).Should().Be(expected);
    }

    [Fact]
    public void Utf8_text_is_quoted_once_utf8_is_enabled_and_long_text_is_a_literal()
    {
        Write(w => w.WriteString("café \U0001F600"), utf8: true).Should().Be("\"café \U0001F600\"");
        Write(w => w.WriteNString(null)).Should().Be("NIL");
        string longText = new('x', ImapResponseWriter.MaxQuotedLength + 1);
        Write(w => w.WriteString(longText)).Should().Be($"{{{longText.Length}}}\r\n{longText}");
        Write(w => w.WriteLiteral("\0\x01"u8, binary: true)).Should().Be("~{2}\r\n\0\x01");
        Write(w => w.WriteLiteralHeader(12345)).Should().Be("{12345}\r\n");
    }

    [Theory]
    [InlineData("INBOX", false, "INBOX")]
    [InlineData("~peter/mail/台北/日本語", false, "~peter/mail/&U,BTFw-/&ZeVnLIqe-")]
    [InlineData("&&x&&", false, "&-&-x&-&-")]
    [InlineData("My Drafts", false, "\"My Drafts\"")]
    [InlineData("foo\r\n* 1 EXPUNGE", false, "\"foo&AA0ACg-* 1 EXPUNGE\"")]
    [InlineData("台北", true, "\"台北\"")]
    [InlineData("foo\r\n* 1 EXPUNGE", true, "{16}\r\nfoo\r\n* 1 EXPUNGE")]
    public void Mailbox_names_are_encoded_and_never_break_the_line(string name, bool utf8, string expected)
    {
        Write(w => w.WriteMailbox(name), utf8).Should().Be(expected);
    }

    [Fact]
    public void Injection_attempts_stay_inside_one_string()
    {
        // SECURITY E3: a literal-created name with CRLF, a keyword "\Seen)", envelope fields with CRLF and quotes.
        Write(w => w.WriteList("LIST"u8, ["\\HasNoChildren"], '/', "foo\r\n* 1 EXPUNGE"), utf8: true)
            .Should().Be("* LIST (\\HasNoChildren) \"/\" {16}\r\nfoo\r\n* 1 EXPUNGE\r\n");
        Write(w => w.WriteFlags(["\\Seen", "\\Seen)", "$Junk", "a b", "x\r\n"])).Should().Be("* FLAGS (\\Seen $Junk)\r\n");
        Write(w => w.WriteFlagList(["bad)", "\\Answered"])).Should().Be("(\\Answered)");
        Write(w => w.WriteFlagList(["\\Seen", "\\*", "*", "\\**"])).Should().Be("(\\Seen \\*)", "RFC 9051 flag-perm");
        Write(w => w.WriteFlagList("\\Seen \\Draft"u8, ["$Junk", "bad)", "x\r\n", "$Label1"])).Should().Be("(\\Seen \\Draft $Junk $Label1)");
        Write(w => w.WriteFlagList([], ["bad)", "$Junk"])).Should().Be("($Junk)");
        Write(w => w.WriteFlagList([], [])).Should().Be("()");
        var envelope = new ImapEnvelope("Mon, 7 Feb 1994", "hi\r\na1 OK \"x\"", null, null, null, null, null, null, null, "<x\"@y>");
        Write(w => w.WriteEnvelope(envelope)).Should().Be("(\"Mon, 7 Feb 1994\" {13}\r\nhi\r\na1 OK \"x\" NIL NIL NIL NIL NIL NIL NIL \"<x\\\"@y>\")");
    }

    [Fact]
    public void Data_responses_match_rfc_examples()
    {
        Write(w => w.WriteNumbered(23, "EXISTS"u8)).Should().Be("* 23 EXISTS\r\n");
        Write(w => w.WriteList("LIST"u8, ["\\Noselect"], '/', "~/Mail/foo")).Should().Be("* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n");
        Write(w => w.WriteList("LIST"u8, [], null, "")).Should().Be("* LIST () NIL \"\"\r\n");
        Write(w => w.WriteList("LIST"u8, ["\\Subscribed"], '/', "Bar", childInfo: true))
            .Should().Be("* LIST (\\Subscribed) \"/\" Bar (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n");
        Write(w => w.WriteStatus("blurdybloop", [new(ImapStatusItems.Messages, 231), new(ImapStatusItems.UidNext, 44292)]))
            .Should().Be("* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n");
        Write(w => w.WriteStatus("INBOX", [], "F2212ea87-6097-4256-9d51-71338625")).Should().Be("* STATUS INBOX (MAILBOXID (F2212ea87-6097-4256-9d51-71338625))\r\n");
        Write(w => w.WriteSearch([2, 84, 882])).Should().Be("* SEARCH 2 84 882\r\n");
        Write(w => w.WriteSearch([2, 5], 917162500)).Should().Be("* SEARCH 2 5 (MODSEQ 917162500)\r\n");
        Write(w => w.WriteSearch([], name: "SORT")).Should().Be("* SORT\r\n");
        Write(w => w.WriteEsearch("A282", false, min: 2, count: 3)).Should().Be("* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n");
        var all = new ImapSequenceSet([new(1, 3), new(7, 7), new(9, 0)]);
        Write(w => w.WriteEsearch("a", true, all: all)).Should().Be("* ESEARCH (TAG \"a\") UID ALL 1:3,7,9:*\r\n");
        Write(w => w.WriteEnabled(["CONDSTORE"])).Should().Be("* ENABLED CONDSTORE\r\n");
        Write(w => w.WriteDateTime(new DateTimeOffset(2024, 1, 5, 0, 0, 0, TimeSpan.FromMinutes(330)))).Should().Be("\"05-Jan-2024 00:00:00 +0530\"");
    }

    private static readonly ImapBodyStructure TextPart = new("TEXT", "PLAIN", [new("CHARSET", "US-ASCII")], Encoding: "7BIT", Size: 3028, Lines: 92);

    [Fact]
    public void Body_structures_follow_rfc_9051_syntax()
    {
        Write(w => w.WriteBodyStructure(TextPart, extensible: false))
            .Should().Be("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92)");
        Write(w => w.WriteBodyStructure(TextPart, extensible: true))
            .Should().Be("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92 NIL NIL NIL NIL)");

        var attachment = new ImapBodyStructure("APPLICATION", "PDF", [new("NAME", "a b.pdf")], Encoding: "BASE64", Size: 4554,
            Disposition: "attachment", DispositionParameters: [new("filename", "a b.pdf")], Language: ["en", "de"], Location: "x");
        var multipart = new ImapBodyStructure("multipart", "MIXED", [new("BOUNDARY", "b1")], Parts: [TextPart, attachment]);
        Write(w => w.WriteBodyStructure(multipart, extensible: true)).Should().Be(
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92 NIL NIL NIL NIL)" +
            "(\"APPLICATION\" \"PDF\" (\"NAME\" \"a b.pdf\") NIL NIL \"BASE64\" 4554 NIL (\"attachment\" (\"filename\" \"a b.pdf\")) (\"en\" \"de\") \"x\")" +
            " \"MIXED\" (\"BOUNDARY\" \"b1\") NIL NIL NIL)");
        Write(w => w.WriteBodyStructure(multipart, extensible: false)).Should().Be(
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92)(\"APPLICATION\" \"PDF\" (\"NAME\" \"a b.pdf\") NIL NIL \"BASE64\" 4554) \"MIXED\")");

        var envelope = new ImapEnvelope(null, "s", [new ImapAddress("Ann", null, "ann", "example.com")], null, null, null, null, null, null, null);
        var message = new ImapBodyStructure("MESSAGE", "RFC822", Size: 100, Lines: 4, Envelope: envelope, Parts: [TextPart]);
        Write(w => w.WriteBodyStructure(message, extensible: false)).Should().Be(
            "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 100 (NIL \"s\" ((\"Ann\" NIL \"ann\" \"example.com\")) ((\"Ann\" NIL \"ann\" \"example.com\")) " +
            "((\"Ann\" NIL \"ann\" \"example.com\")) NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92) 4)");
    }

    [Fact]
    public void Body_structure_nesting_is_clipped()
    {
        var deep = TextPart;
        for (var i = 0; i < 10_000; i++)
        {
            deep = new ImapBodyStructure("multipart", "mixed", Parts: [deep]);
        }

        var text = Write(w => w.WriteBodyStructure(deep, extensible: true));
        text.Count(c => c == '(').Should().Be(text.Count(c => c == ')'));
        text.Should().Contain("\"application\" \"octet-stream\"");
    }

    [Fact]
    public void Whatever_the_writer_writes_as_strings_the_parser_reads_back()
    {
        var text = Gen.String[Gen.Char.Where(c => c != '\0' && !char.IsSurrogate(c)), 0, 40];
        Gen.Select(text, text, Gen.Bool).Sample((user, password, utf8) =>
        {
            var output = new ArrayBufferWriter<byte>();
            var writer = new ImapResponseWriter(output) { Utf8Enabled = utf8 };
            writer.WriteRaw("a LOGIN "u8);
            writer.WriteAString(user);
            writer.WriteSpace();
            writer.WriteAString(password);
            writer.WriteCrlf();
            var events = ImapParserDriver.Run(output.WrittenSpan.ToArray(), [], ImapParserDriver.NewParser(new ImapParserOptions { MaxLiteralSize = 1024 * 1024 }));
            var login = events.Single(e => e is not ContinuationEvent).As<CommandEvent>().Command.As<LoginCommand>();
            login.UserName.Should().Be(user);
            login.Password.Should().Be(password);
        }, iter: 20_000);
    }

    [Fact]
    public void Mailbox_names_round_trip_through_writer_and_parser_in_both_encodings()
    {
        Gen.Select(Gen.String[Gen.Char.Where(c => c != '\0' && !char.IsSurrogate(c)), 1, 30], Gen.Bool).Sample((raw, utf8) =>
        {
            var name = utf8 ? raw.Normalize(NormalizationForm.FormC) : raw;
            if (name.Equals("INBOX", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            var output = new ArrayBufferWriter<byte>();
            var writer = new ImapResponseWriter(output) { Utf8Enabled = utf8 };
            writer.WriteRaw("a SELECT "u8);
            writer.WriteMailbox(name);
            writer.WriteCrlf();
            var parser = ImapParserDriver.NewParser(new ImapParserOptions { MaxLiteralSize = 1024 * 1024 }, utf8: utf8);
            var events = ImapParserDriver.Run(output.WrittenSpan.ToArray(), [], parser);
            events.Single(e => e is not ContinuationEvent).As<CommandEvent>().Command.As<SelectCommand>().Mailbox.Should().Be(name);
        }, iter: 20_000);
    }
}
