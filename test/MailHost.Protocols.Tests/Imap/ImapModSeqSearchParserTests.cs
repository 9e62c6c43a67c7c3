using System.Text;
using MailHost.Protocols.Imap;

namespace MailHost.Protocols.Tests.Imap;

/// <summary>
/// The MODSEQ search criterion (RFC 7162 §3.1.5, ABNF in §7): <c>MODSEQ ["/flags/..." priv|shared|all] n</c>, in
/// SEARCH, UID SEARCH, ESEARCH and SORT.
/// </summary>
public class ImapModSeqSearchParserTests
{
    private static ImapSearchKey ModSeq(ulong value, string? entry = null, string? type = null)
        => new(ImapSearchKeyKind.ModSeq, Text: entry, HeaderField: type, Number: value);

    private static ImapSearchKey And(params ImapSearchKey[] children) => new(ImapSearchKeyKind.And, Children: children);

    private static ImapSearchKey Range(uint first, uint last)
        => new(ImapSearchKeyKind.SequenceSet, Set: new ImapSequenceSet([new ImapSequenceRange(first, last)]));

    /// <summary>One row per accepted form, with the record it must give.</summary>
    public static TheoryData<string, ImapCommand> Accepted => new()
    {
        // RFC 7162 §3.1.5, Example 15: the entry name is a quoted string, so the flag's backslash is escaped.
        { "a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338\r\n",
            new SearchCommand("a", false, null, false, ImapSearchReturnOptions.None, ModSeq(620162338, "/flags/\\draft", "all")) },
        // The form a conformance suite sends: ESEARCH over a message set, the entry type in lower case.
        { "a SEARCH RETURN (ALL) 2:3 MODSEQ \"/flags/\\\\seen\" all 12\r\n",
            new SearchCommand("a", false, null, true, ImapSearchReturnOptions.All, And(Range(2, 3), ModSeq(12, "/flags/\\seen", "all"))) },
        // Entry types are case-insensitive and come back in lower case.
        { "a SEARCH MODSEQ \"/flags/\\\\Answered\" PRIV 5\r\n",
            new SearchCommand("a", false, null, false, ImapSearchReturnOptions.None, ModSeq(5, "/flags/\\Answered", "priv")) },
        { "a UID SEARCH MODSEQ \"/FLAGS/\\\\Flagged\" Shared 7\r\n",
            new SearchCommand("a", true, null, false, ImapSearchReturnOptions.None, ModSeq(7, "/FLAGS/\\Flagged", "shared")) },
        // A keyword has no backslash; an extension flag is a backslash and any atom.
        { "a SEARCH MODSEQ \"/flags/$Forwarded\" all 9\r\n",
            new SearchCommand("a", false, null, false, ImapSearchReturnOptions.None, ModSeq(9, "/flags/$Forwarded", "all")) },
        { "a SEARCH MODSEQ \"/flags/\\\\X-Custom\" all 9\r\n",
            new SearchCommand("a", false, null, false, ImapSearchReturnOptions.None, ModSeq(9, "/flags/\\X-Custom", "all")) },
        // mod-sequence-valzer allows 0 and the whole 63-bit range.
        { "a SEARCH MODSEQ 0\r\n", new SearchCommand("a", false, null, false, ImapSearchReturnOptions.None, ModSeq(0)) },
        { "a SEARCH MODSEQ 9223372036854775807\r\n",
            new SearchCommand("a", false, null, false, ImapSearchReturnOptions.None, ModSeq(9223372036854775807)) },
        // Inside NOT and OR, and after other keys.
        { "a SEARCH NOT MODSEQ \"/flags/\\\\seen\" all 3\r\n",
            new SearchCommand("a", false, null, false, ImapSearchReturnOptions.None, new ImapSearchKey(ImapSearchKeyKind.Not, Children: [ModSeq(3, "/flags/\\seen", "all")])) },
        { "a SEARCH RETURN (MIN MAX) OR MODSEQ 4 MODSEQ \"/flags/x\" priv 8\r\n",
            new SearchCommand("a", false, null, true, ImapSearchReturnOptions.Min | ImapSearchReturnOptions.Max,
                new ImapSearchKey(ImapSearchKeyKind.Or, Children: [ModSeq(4), ModSeq(8, "/flags/x", "priv")])) },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void MODSEQ_criteria_parse_whole_one_byte_at_a_time_and_at_every_split(string input, ImapCommand expected)
    {
        var events = ImapParserDriver.AllSplits(input);
        events.Should().ContainSingle();
        events[0].Should().BeOfType<CommandEvent>().Which.Command.Should().BeEquivalentTo(expected, o => o.RespectingRuntimeTypes());
    }

    [Fact]
    public void SORT_takes_the_MODSEQ_criterion_with_an_entry()
    {
        var command = ImapParserDriver.Whole("a SORT (ARRIVAL) UTF-8 MODSEQ \"/flags/\\\\seen\" all 12\r\n")
            .Single().Should().BeOfType<CommandEvent>().Which.Command.Should().BeOfType<SortCommand>().Subject;
        command.Search.Should().BeEquivalentTo(ModSeq(12, "/flags/\\seen", "all"));
    }

    [Theory]
    [InlineData("a SEARCH MODSEQ \"/flags/\\\\seen\" everyone 12\r\n", "Invalid MODSEQ entry type: expected priv, shared or all")]
    [InlineData("a SEARCH MODSEQ \"/flags/\\\\seen\" 12\r\n", "Invalid MODSEQ entry type: expected priv, shared or all")]
    [InlineData("a SEARCH MODSEQ \"/flags/\\\\seen\" allx 12\r\n", "Invalid MODSEQ entry type: expected priv, shared or all")]
    [InlineData("a SEARCH MODSEQ \"/flags/\\\\seen\"\r\n", "Missing argument")]
    [InlineData("a SEARCH MODSEQ \"/flags/\\\\seen\" all\r\n", "Missing argument")]
    [InlineData("a SEARCH MODSEQ \"/flags/\\\\seen\" all x\r\n", "Invalid number")]
    [InlineData("a SEARCH MODSEQ \"/flags/\\\\seen\"all 12\r\n", "Expected a space between arguments")]
    [InlineData("a SEARCH MODSEQ \"/metadata/x\" all 12\r\n", "Invalid MODSEQ entry name: expected \"/flags/<flag>\"")]
    [InlineData("a SEARCH MODSEQ \"/flags/\" all 12\r\n", "Invalid MODSEQ entry name: expected \"/flags/<flag>\"")]
    [InlineData("a SEARCH MODSEQ \"/flags/\\\\\" all 12\r\n", "Invalid MODSEQ entry name: expected \"/flags/<flag>\"")]
    [InlineData("a SEARCH MODSEQ \"/flags/two words\" all 12\r\n", "Invalid MODSEQ entry name: expected \"/flags/<flag>\"")]
    [InlineData("a SEARCH MODSEQ \"flags/\\\\seen\" all 12\r\n", "Invalid MODSEQ entry name: expected \"/flags/<flag>\"")]
    [InlineData("a SEARCH MODSEQ \"/flags/\\\\seen\r\n", "Unterminated quoted string")]
    [InlineData("a SEARCH MODSEQ\r\n", "Missing argument")]
    [InlineData("a SEARCH MODSEQ -1\r\n", "Invalid number")]
    [InlineData("a SEARCH MODSEQ 9223372036854775808\r\n", "Number out of range")]
    public void Malformed_MODSEQ_criteria_get_BAD_with_a_clear_text(string input, string text)
    {
        var events = ImapParserDriver.Run(Encoding.ASCII.GetBytes(input + "z NOOP\r\n"), [], ImapParserDriver.NewParser());
        var error = events.OfType<ErrorEvent>().Should().ContainSingle().Subject.Error;
        error.Should().Be(new ImapParseError("a", ImapResponseStatus.Bad, null, text, ImapResync.None));
        events.Last().As<CommandEvent>().Command.Tag.Should().Be("z", "the stream stays in step after the error");
    }
}
