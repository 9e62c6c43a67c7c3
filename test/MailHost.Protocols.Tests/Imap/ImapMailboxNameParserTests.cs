using System.Text;
using MailHost.Protocols.Imap;

namespace MailHost.Protocols.Tests.Imap;

/// <summary>
/// Mailbox names that are valid astrings but do not decode (RFC 3501 §5.1.3, RFC 9051 §5.1) parse as commands, marked
/// undecodable, so the session can answer NO rather than BAD; and the LIST-EXTENDED selection grammar (RFC 5258 §3.1, §6).
/// </summary>
public class ImapMailboxNameParserTests
{
    // The name an outside conformance suite selects: every atom character but "%", "*", "]", "~" and letters, with an
    // "&" that starts no valid modified-BASE64 run.
    private const string AtomName = "!#$&'+,-.0123456789:;<=>?@^_`|[}";

    [Theory]
    [InlineData("a SELECT &Jjo\r\n", "&Jjo")] // run without its "-"
    [InlineData("a SELECT &U,BTFw-&ZeVnLIqe-\r\n", "&U,BTFw-&ZeVnLIqe-")] // two runs where the encoder writes one
    [InlineData("a SELECT &AGEAYgBj-\r\n", "&AGEAYgBj-")] // a run that encodes printable ASCII
    [InlineData("a SELECT " + AtomName + "\r\n", AtomName)]
    [InlineData("a SELECT \"caf\u00e9\"\r\n", "caf\u00e9")] // 8-bit in a quoted string
    [InlineData("a SELECT {4+}\r\ncaf\u00e9\r\n", "caf\u00e9")] // 8-bit in a literal
    public void Names_that_are_not_modified_UTF7_parse_and_come_out_undecodable(string input, string raw)
    {
        var command = SingleCommand(input, utf8: false).Should().BeOfType<SelectCommand>().Subject;
        ImapMailboxName.IsUndecodable(command.Mailbox).Should().BeTrue();
        command.Mailbox.Should().Be("\0" + raw, "the octets are kept, one char each, behind a NUL");
    }

    [Fact]
    public void Valid_modified_UTF7_and_plain_names_are_not_marked()
    {
        SingleCommand("a SELECT &ZeVnLIqe-\r\n", utf8: false).As<SelectCommand>().Mailbox.Should().Be("日本語");
        SingleCommand("a SELECT &-x\r\n", utf8: false).As<SelectCommand>().Mailbox.Should().Be("&x");
        ImapMailboxName.IsUndecodable("日本語").Should().BeFalse();
        ImapMailboxName.IsUndecodable("INBOX").Should().BeFalse();
    }

    [Fact]
    public void With_UTF8_enabled_names_are_UTF8_so_ampersands_are_plain_and_invalid_UTF8_is_undecodable()
    {
        // RFC 6855 §3: after ENABLE UTF8=ACCEPT (or IMAP4rev2) no modified UTF-7 decoding happens.
        SingleCommand("a SELECT &Jjo\r\n", utf8: true).As<SelectCommand>().Mailbox.Should().Be("&Jjo");
        SingleCommand("a SELECT " + AtomName + "\r\n", utf8: true).As<SelectCommand>().Mailbox.Should().Be(AtomName);

        // A literal may hold any octet but NUL (CHAR8); as a UTF-8 name \xff\xfe names no mailbox.
        var name = SingleCommand("a SELECT {2+}\r\n\u00ff\u00fe\r\n", utf8: true).As<SelectCommand>().Mailbox;
        ImapMailboxName.IsUndecodable(name).Should().BeTrue();
    }

    public static TheoryData<string, Func<ImapCommand, IEnumerable<string>>> EveryNameArgument => new()
    {
        { "a SELECT &Jjo\r\n", c => [((SelectCommand)c).Mailbox] },
        { "a EXAMINE &Jjo (CONDSTORE)\r\n", c => [((ExamineCommand)c).Mailbox] },
        { "a CREATE &Jjo\r\n", c => [((CreateCommand)c).Mailbox] },
        { "a DELETE &Jjo\r\n", c => [((DeleteCommand)c).Mailbox] },
        { "a RENAME &Jjo &AGE-\r\n", c => [((RenameCommand)c).Mailbox, ((RenameCommand)c).NewMailbox] },
        { "a SUBSCRIBE &Jjo\r\n", c => [((SubscribeCommand)c).Mailbox] },
        { "a UNSUBSCRIBE &Jjo\r\n", c => [((UnsubscribeCommand)c).Mailbox] },
        { "a STATUS &Jjo (MESSAGES)\r\n", c => [((StatusCommand)c).Mailbox] },
        { "a GETQUOTAROOT &Jjo\r\n", c => [((GetQuotaRootCommand)c).Mailbox] },
        { "a COPY 1 &Jjo\r\n", c => [((CopyCommand)c).Mailbox] },
        { "a UID MOVE 1 &Jjo\r\n", c => [((MoveCommand)c).Mailbox] },
        { "a LIST &Jjo (% " + AtomName + "%*)\r\n", c => [((ListCommand)c).Reference, ((ListCommand)c).Patterns[1]] },
        { "a LIST \"\" " + AtomName + "%*\r\n", c => [((ListCommand)c).Patterns[0]] },
        { "a LSUB \"\" &Jjo/%\r\n", c => [((LsubCommand)c).Pattern] },
        { "a APPEND &Jjo {1+}\r\nx\r\n", c => [((AppendCommand)c).Mailbox, ((AppendCommand)c).Messages[0].Mailbox] },
    };

    [Theory]
    [MemberData(nameof(EveryNameArgument))]
    public void Every_command_taking_a_name_or_pattern_parses_an_undecodable_one(string input, Func<ImapCommand, IEnumerable<string>> names)
    {
        var command = ImapParserDriver.AllSplits(input).OfType<CommandEvent>().Should().ContainSingle().Subject.Command;
        names(command).Should().OnlyContain(n => ImapMailboxName.IsUndecodable(n));
    }

    [Theory]
    [InlineData("a LIST (RECURSIVEMATCH) \"\" \"\"\r\n")]
    [InlineData("a LIST (RECURSIVEMATCH REMOTE) \"\" \"\"\r\n")]
    [InlineData("a LIST (REMOTE RECURSIVEMATCH) \"\" *\r\n")]
    [InlineData("a LIST (SPECIAL-USE RECURSIVEMATCH) \"\" *\r\n")]
    public void RECURSIVEMATCH_without_SUBSCRIBED_is_BAD(string input)
    {
        // RFC 5258 §3.1: it MUST NOT occur alone or only with REMOTE; §6: a list-select-mod-opt needs a base option,
        // and SPECIAL-USE is an independent one (RFC 6154 §6).
        var error = ImapParserDriver.AllSplits(input).OfType<ErrorEvent>().Should().ContainSingle().Subject.Error;
        error.Should().Be(new ImapParseError("a", ImapResponseStatus.Bad, null, "Invalid LIST option", ImapResync.None));
    }

    [Theory]
    [InlineData("a LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (a/test2 a/test2/test1)\r\n", ImapListSelectionOptions.Subscribed | ImapListSelectionOptions.RecursiveMatch)]
    [InlineData("a LIST (RECURSIVEMATCH REMOTE SUBSCRIBED) \"\" (a/test2 a/test2/test1)\r\n", ImapListSelectionOptions.Subscribed | ImapListSelectionOptions.RecursiveMatch | ImapListSelectionOptions.Remote)]
    public void RECURSIVEMATCH_with_SUBSCRIBED_parses(string input, ImapListSelectionOptions expected)
    {
        var command = ImapParserDriver.AllSplits(input).OfType<CommandEvent>().Should().ContainSingle().Subject.Command;
        command.Should().BeEquivalentTo(new ListCommand("a", "", ["a/test2", "a/test2/test1"], expected, IsExtended: true));
    }

    [Fact]
    public void A_pattern_of_characters_outside_list_char_is_still_a_syntax_error()
    {
        var error = ImapParserDriver.AllSplits("a LIST \"\" (\r\n").OfType<ErrorEvent>().Should().ContainSingle().Subject.Error;
        error.Status.Should().Be(ImapResponseStatus.Bad);
        ImapParserDriver.AllSplits("a LIST \"\" )\r\n").OfType<ErrorEvent>().Should().ContainSingle()
            .Which.Error.Text.Should().Be("Invalid mailbox pattern");
    }

    /// <summary>Parses Latin-1 octets whole and one byte at a time; both must give the same single command.</summary>
    private static ImapCommand SingleCommand(string input, bool utf8)
    {
        var bytes = Encoding.Latin1.GetBytes(input);
        var whole = ImapParserDriver.Run(bytes, [], ImapParserDriver.NewParser(utf8: utf8));
        var oneByte = ImapParserDriver.Run(bytes, Enumerable.Range(1, bytes.Length), ImapParserDriver.NewParser(utf8: utf8));
        oneByte.Should().BeEquivalentTo(whole, o => o.RespectingRuntimeTypes().WithStrictOrdering());
        return whole.OfType<CommandEvent>().Should().ContainSingle().Subject.Command;
    }
}
