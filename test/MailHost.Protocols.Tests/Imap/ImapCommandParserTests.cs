using MailHost.Protocols.Imap;

namespace MailHost.Protocols.Tests.Imap;

public class ImapCommandParserTests
{
    private static ImapSequenceSet Set(params (uint Start, uint End)[] ranges) =>
        new(ranges.Select(r => new ImapSequenceRange(r.Start, r.End)).ToList());

    private static ImapSearchKey Key(ImapSearchKeyKind kind, string? text = null) => new(kind, Text: text);

    private static ImapSearchKey And(params ImapSearchKey[] children) => new(ImapSearchKeyKind.And, Children: children);

    private static ImapFetchItem Section(ImapSectionKind kind, bool peek = false, uint[]? part = null, string[]? fields = null, long? offset = null, long? length = null) =>
        new(ImapFetchItemKind.BodySection, new ImapSection(part ?? [], kind, fields ?? []), peek, offset, length);

    /// <summary>One row per RFC example command (and per accepted variant), with the record it must give.</summary>
    public static TheoryData<string, ImapCommand> RfcExamples => new()
    {
        // RFC 9051 §6.1
        { "a441 CAPABILITY\r\n", new CapabilityCommand("a441") },
        { "a002 NOOP\r\n", new NoopCommand("a002") },
        { "A023 LOGOUT\r\n", new LogoutCommand("A023") },
        // RFC 9051 §6.2
        { "a002 STARTTLS\r\n", new StartTlsCommand("a002") },
        { "A001 AUTHENTICATE GSSAPI\r\n", new AuthenticateCommand("A001", "GSSAPI", null) },
        { "a AUTHENTICATE plain dGVzdAB0ZXN0AHRlc3Q=\r\n", new AuthenticateCommand("a", "PLAIN", "dGVzdAB0ZXN0AHRlc3Q=") },
        { "a AUTHENTICATE PLAIN =\r\n", new AuthenticateCommand("a", "PLAIN", "=") },
        { "a001 LOGIN SMITH SESAME\r\n", new LoginCommand("a001", "SMITH", "SESAME") },
        { "a001 LOGIN \"fred\" \"foo\\\"bar\\\\\"\r\n", new LoginCommand("a001", "fred", "foo\"bar\\") },
        { "a001 LOGIN {4+}\r\nfred {6+}\r\nsecré\r\n", new LoginCommand("a001", "fred", "secré") },
        // RFC 9051 §6.3
        { "t2 ENABLE CONDSTORE X-GOOD-IDEA\r\n", new EnableCommand("t2", ["CONDSTORE", "X-GOOD-IDEA"]) },
        { "A142 SELECT INBOX\r\n", new SelectCommand("A142", "INBOX") },
        { "A142 SELECT inbox\r\n", new SelectCommand("A142", "INBOX") },
        { "A932 EXAMINE blurdybloop\r\n", new ExamineCommand("A932", "blurdybloop") },
        { "A003 CREATE owatagusiam/\r\n", new CreateCommand("A003", "owatagusiam/", []) },
        { "A682 DELETE blurdybloop\r\n", new DeleteCommand("A682", "blurdybloop") },
        { "A683 RENAME blurdybloop sarasoop\r\n", new RenameCommand("A683", "blurdybloop", "sarasoop") },
        { "A002 SUBSCRIBE #news.comp.mail.mime\r\n", new SubscribeCommand("A002", "#news.comp.mail.mime") },
        { "A002 UNSUBSCRIBE #news.comp.mail.mime\r\n", new UnsubscribeCommand("A002", "#news.comp.mail.mime") },
        { "A101 LIST \"\" \"\"\r\n", new ListCommand("A101", "", [""]) },
        { "A102 LIST #news.comp.mail.misc \"\"\r\n", new ListCommand("A102", "#news.comp.mail.misc", [""]) },
        { "A202 LIST ~/Mail/ %\r\n", new ListCommand("A202", "~/Mail/", ["%"]) },
        { "A002 LSUB \"#news.\" \"comp.mail.*\"\r\n", new LsubCommand("A002", "#news.", "comp.mail.*") },
        { "A042 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n", new StatusCommand("A042", "blurdybloop", ImapStatusItems.UidNext | ImapStatusItems.Messages) },
        { "A002 NAMESPACE\r\n", new NamespaceCommand("A002") },
        { "a IDLE\r\n", new IdleCommand("a") },
        // RFC 9051 §6.4
        { "FXXZ CHECK\r\n", new CheckCommand("FXXZ") },
        { "A341 CLOSE\r\n", new CloseCommand("A341") },
        { "A342 UNSELECT\r\n", new UnselectCommand("A342") },
        { "A202 EXPUNGE\r\n", new ExpungeCommand("A202", false, null) },
        { "A003 UID EXPUNGE 3000:3002\r\n", new ExpungeCommand("A003", true, Set((3000, 3002))) },
        { "A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n",
            new SearchCommand("A282", false, null, true, ImapSearchReturnOptions.Min | ImapSearchReturnOptions.Count,
                And(Key(ImapSearchKeyKind.Flagged), new ImapSearchKey(ImapSearchKeyKind.Since, Date: new DateOnly(1994, 2, 1)),
                    new ImapSearchKey(ImapSearchKeyKind.Not, Children: [Key(ImapSearchKeyKind.From, "Smith")]))) },
        { "A283 SEARCH RETURN () FLAGGED\r\n", new SearchCommand("A283", false, null, true, ImapSearchReturnOptions.All, Key(ImapSearchKeyKind.Flagged)) },
        { "A284 SEARCH CHARSET UTF-8 TEXT {12}\r\nмихаил\r\n", new SearchCommand("A284", false, "UTF-8", false, ImapSearchReturnOptions.None, Key(ImapSearchKeyKind.Text, "михаил")) },
        { "A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n",
            new FetchCommand("A654", false, Set((2, 4)), [ImapFetchItem.Flags, Section(ImapSectionKind.HeaderFields, fields: ["DATE", "FROM"])]) },
        { "A003 STORE 2:4 +FLAGS (\\Deleted)\r\n", new StoreCommand("A003", false, Set((2, 4)), ImapStoreMode.Add, false, ["\\Deleted"]) },
        { "A003 COPY 2:4 MEETING\r\n", new CopyCommand("A003", false, Set((2, 4)), "MEETING") },
        { "a UID MOVE 42:69 foo\r\n", new MoveCommand("a", true, Set((42, 69)), "foo") },
        { "A999 UID FETCH 4827313:4828442 FLAGS\r\n", new FetchCommand("A999", true, Set((4827313, 4828442)), [ImapFetchItem.Flags]) },
        { "A003 UID STORE 4827313:4828442 -FLAGS.SILENT (\\seen $Forwarded)\r\n",
            new StoreCommand("A003", true, Set((4827313, 4828442)), ImapStoreMode.Remove, true, ["\\Seen", "$Forwarded"]) },
        // Macros and items
        { "a FETCH 1:* ALL\r\n", new FetchCommand("a", false, Set((1, 0)), [ImapFetchItem.Flags, ImapFetchItem.InternalDate, ImapFetchItem.Rfc822Size, ImapFetchItem.Envelope]) },
        { "a FETCH * FAST\r\n", new FetchCommand("a", false, Set((0, 0)), [ImapFetchItem.Flags, ImapFetchItem.InternalDate, ImapFetchItem.Rfc822Size]) },
        { "a FETCH 1,3:5,7 FULL\r\n", new FetchCommand("a", false, Set((1, 1), (3, 5), (7, 7)),
            [ImapFetchItem.Flags, ImapFetchItem.InternalDate, ImapFetchItem.Rfc822Size, ImapFetchItem.Envelope, ImapFetchItem.Body]) },
        { "a fetch 1 (body.peek[1.2.mime] BODY[]<0.2048> binary.peek[1]<10.20> BINARY.SIZE[2] rfc822.header RFC822 RFC822.TEXT BODYSTRUCTURE UID)\r\n",
            new FetchCommand("a", false, Set((1, 1)), [
                Section(ImapSectionKind.Mime, peek: true, part: [1, 2]),
                Section(ImapSectionKind.Full, offset: 0, length: 2048),
                new ImapFetchItem(ImapFetchItemKind.Binary, new ImapSection([1], ImapSectionKind.Full, []), true, 10, 20),
                new ImapFetchItem(ImapFetchItemKind.BinarySize, new ImapSection([2], ImapSectionKind.Full, [])),
                ImapFetchItem.Rfc822Header, ImapFetchItem.Rfc822, ImapFetchItem.Rfc822Text, ImapFetchItem.BodyStructure, ImapFetchItem.Uid]) },
        { "a FETCH 1 (BODY[HEADER.FIELDS.NOT (Received \"X-Spam\")] BODY.PEEK[3.TEXT] BODY[4] BODY[HEADER] BODY[TEXT])\r\n",
            new FetchCommand("a", false, Set((1, 1)), [
                Section(ImapSectionKind.HeaderFieldsNot, fields: ["RECEIVED", "X-SPAM"]),
                Section(ImapSectionKind.Text, peek: true, part: [3]),
                Section(ImapSectionKind.Full, part: [4]),
                Section(ImapSectionKind.Header),
                Section(ImapSectionKind.Text)]) },
        // RFC 8474, 8514, 8970
        { "a FETCH 1:* (EMAILID THREADID SAVEDATE PREVIEW)\r\n",
            new FetchCommand("a", false, Set((1, 0)), [ImapFetchItem.EmailId, ImapFetchItem.ThreadId, ImapFetchItem.SaveDate, ImapFetchItem.Preview]) },
        { "a FETCH 1 (UID PREVIEW (LAZY))\r\n", new FetchCommand("a", false, Set((1, 1)), [ImapFetchItem.Uid, ImapFetchItem.PreviewLazy]) },
        { "a FETCH 1 PREVIEW (CHANGEDSINCE 5)\r\n", new FetchCommand("a", false, Set((1, 1)), [ImapFetchItem.Preview], 5) },
        // RFC 7162
        { "a103 SELECT INBOX (CONDSTORE)\r\n", new SelectCommand("a103", "INBOX", Condstore: true) },
        { "a FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)\r\n", new FetchCommand("a", false, Set((1, 0)), [ImapFetchItem.Flags], 12345) },
        { "s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n", new FetchCommand("s100", true, Set((300, 500)), [ImapFetchItem.Flags], 12345, true) },
        { "a102 STORE 1:* (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)\r\n",
            new StoreCommand("a102", false, Set((1, 0)), ImapStoreMode.Add, true, ["\\Deleted"], 320162338) },
        { "a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338\r\n",
            new SearchCommand("a", false, null, false, ImapSearchReturnOptions.None, new ImapSearchKey(ImapSearchKeyKind.ModSeq, "/flags/\\draft", "all", Number: 620162338)) },
        { "A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n",
            new SelectCommand("A02", "INBOX", Qresync: new ImapQresyncParameters(67890007, 20050715194045000, Set((41, 41), (43, 211), (214, 541)), null, null)) },
        { "B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976:29979)))\r\n",
            new SelectCommand("B04", "INBOX", Qresync: new ImapQresyncParameters(67890007, 90060115194045000, Set((1, 29997)),
                Set((5000, 5000), (7500, 7500), (9000, 9000), (9990, 9999)),
                Set((15000, 15000), (22500, 22500), (27000, 27000), (29970, 29970), (29973, 29973), (29976, 29979)))) },
        { "A03 EXAMINE INBOX (QRESYNC (67890007 1 (1:5 10:14)))\r\n",
            new ExamineCommand("A03", "INBOX", Qresync: new ImapQresyncParameters(67890007, 1, null, Set((1, 5)), Set((10, 14)))) },
        // RFC 4731, RFC 5182
        { "A301 SEARCH RETURN (SAVE) FROM \"Mike\"\r\n", new SearchCommand("A301", false, null, true, ImapSearchReturnOptions.Save, Key(ImapSearchKeyKind.From, "Mike")) },
        { "A302 FETCH $ (UID)\r\n", new FetchCommand("A302", false, ImapSequenceSet.SavedResult, [ImapFetchItem.Uid]) },
        { "A303 UID SEARCH UID $ SMALLER 4096\r\n",
            new SearchCommand("A303", true, null, false, ImapSearchReturnOptions.None,
                And(new ImapSearchKey(ImapSearchKeyKind.Uid, Set: ImapSequenceSet.SavedResult), new ImapSearchKey(ImapSearchKeyKind.Smaller, Number: 4096))) },
        { "A304 SEARCH RETURN (MIN MAX ALL) 1:5 OR SEEN (DELETED UNDRAFT)\r\n",
            new SearchCommand("A304", false, null, true, ImapSearchReturnOptions.Min | ImapSearchReturnOptions.Max | ImapSearchReturnOptions.All,
                And(new ImapSearchKey(ImapSearchKeyKind.SequenceSet, Set: Set((1, 5))),
                    new ImapSearchKey(ImapSearchKeyKind.Or, Children: [Key(ImapSearchKeyKind.Seen), And(Key(ImapSearchKeyKind.Deleted), Key(ImapSearchKeyKind.Undraft))]))) },
        // RFC 5032, 8514, 8474, RFC 3501 keys
        { "a SEARCH YOUNGER 3600 SAVEDBEFORE 1-Jan-2024 SAVEDATESUPPORTED EMAILID M6d99ac3275bb4e NEW OLD RECENT HEADER X-Foo bar KEYWORD $Junk\r\n",
            new SearchCommand("a", false, null, false, ImapSearchReturnOptions.None, And(
                new ImapSearchKey(ImapSearchKeyKind.Younger, Number: 3600), new ImapSearchKey(ImapSearchKeyKind.SavedBefore, Date: new DateOnly(2024, 1, 1)),
                Key(ImapSearchKeyKind.SaveDateSupported), Key(ImapSearchKeyKind.EmailId, "M6d99ac3275bb4e"),
                Key(ImapSearchKeyKind.New), Key(ImapSearchKeyKind.Old), Key(ImapSearchKeyKind.Recent),
                new ImapSearchKey(ImapSearchKeyKind.Header, "bar", "X-Foo"), Key(ImapSearchKeyKind.Keyword, "$Junk"))) },
        { "a SEARCH SENTON \"7-Mar-2021\"\r\n", new SearchCommand("a", false, null, false, ImapSearchReturnOptions.None, new ImapSearchKey(ImapSearchKeyKind.SentOn, Date: new DateOnly(2021, 3, 7))) },
        // RFC 5256, RFC 5267
        { "A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994\r\n",
            new SortCommand("A282", false, [new ImapSortCriterion(ImapSortKey.Subject, false)], "UTF-8", false, ImapSearchReturnOptions.None,
                new ImapSearchKey(ImapSearchKeyKind.Since, Date: new DateOnly(1994, 2, 1))) },
        { "A285 SORT (SUBJECT REVERSE DATE) UTF-8 ALL\r\n",
            new SortCommand("A285", false, [new(ImapSortKey.Subject, false), new(ImapSortKey.Date, true)], "UTF-8", false, ImapSearchReturnOptions.None, ImapSearchKey.All) },
        { "A284 UID SORT RETURN (MIN COUNT) (REVERSE ARRIVAL) US-ASCII UNDELETED\r\n",
            new SortCommand("A284", true, [new(ImapSortKey.Arrival, true)], "US-ASCII", true, ImapSearchReturnOptions.Min | ImapSearchReturnOptions.Count, Key(ImapSearchKeyKind.Undeleted)) },
        { "A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000\r\n",
            new ThreadCommand("A283", false, ImapThreadAlgorithm.OrderedSubject, "UTF-8", new ImapSearchKey(ImapSearchKeyKind.Since, Date: new DateOnly(2000, 3, 5))) },
        { "A284 UID THREAD REFERENCES US-ASCII TEXT \"gewp\"\r\n",
            new ThreadCommand("A284", true, ImapThreadAlgorithm.References, "US-ASCII", Key(ImapSearchKeyKind.Text, "gewp")) },
        // RFC 5258, 5819, 6154
        { "A01 LIST \"\" (\"foo\" \"foo/*\")\r\n", new ListCommand("A01", "", ["foo", "foo/*"], IsExtended: true) },
        { "A02 LIST (SUBSCRIBED) \"\" \"*\"\r\n", new ListCommand("A02", "", ["*"], ImapListSelectionOptions.Subscribed, IsExtended: true) },
        { "A03 LIST () \"\" \"%\" RETURN (CHILDREN)\r\n", new ListCommand("A03", "", ["%"], Return: ImapListReturnOptions.Children, IsExtended: true) },
        { "A04 LIST (REMOTE SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (SUBSCRIBED)\r\n",
            new ListCommand("A04", "", ["%"], ImapListSelectionOptions.Remote | ImapListSelectionOptions.Subscribed | ImapListSelectionOptions.RecursiveMatch,
                ImapListReturnOptions.Subscribed, IsExtended: true) },
        { "A05 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN SIZE))\r\n",
            new ListCommand("A05", "", ["%"], Return: ImapListReturnOptions.Status,
                StatusItems: ImapStatusItems.Messages | ImapStatusItems.Unseen | ImapStatusItems.Size, IsExtended: true) },
        { "t1 LIST (SPECIAL-USE) \"\" \"*\" RETURN (SPECIAL-USE)\r\n",
            new ListCommand("t1", "", ["*"], ImapListSelectionOptions.SpecialUse, ImapListReturnOptions.SpecialUse, IsExtended: true) },
        { "t1 CREATE \"Important Messages\" (USE (\\Important))\r\n", new CreateCommand("t1", "Important Messages", ["\\Important"]) },
        // RFC 2971, 4978, 9208
        { "a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" NIL)\r\n",
            new IdCommand("a023", [new("name", "sodr"), new("version", "19.34"), new("vendor", null)]) },
        { "a ID NIL\r\n", new IdCommand("a", null) },
        { "a COMPRESS deflate\r\n", new CompressCommand("a", "DEFLATE") },
        { "G0001 GETQUOTA \"!partition/sda4\"\r\n", new GetQuotaCommand("G0001", "!partition/sda4") },
        { "G0002 GETQUOTAROOT INBOX\r\n", new GetQuotaRootCommand("G0002", "INBOX") },
        { "S0000 SETQUOTA \"#user/alice\" (STORAGE 510 message 1000)\r\n",
            new SetQuotaCommand("S0000", "#user/alice", [new("STORAGE", 510), new("MESSAGE", 1000)]) },
        // RFC 3501 §5.1.3 mailbox names
        { "a SELECT ~peter/mail/&U,BTFw-/&ZeVnLIqe-\r\n", new SelectCommand("a", "~peter/mail/台北/日本語") },
        { "a STATUS &-x (DELETED HIGHESTMODSEQ APPENDLIMIT MAILBOXID RECENT UIDVALIDITY)\r\n",
            new StatusCommand("a", "&x", ImapStatusItems.Deleted | ImapStatusItems.HighestModSeq | ImapStatusItems.AppendLimit
                | ImapStatusItems.MailboxId | ImapStatusItems.Recent | ImapStatusItems.UidValidity) },
    };

    [Theory]
    [MemberData(nameof(RfcExamples))]
    public void Rfc_examples_parse_whole_one_byte_at_a_time_and_at_every_split(string input, ImapCommand expected)
    {
        var events = ImapParserDriver.AllSplits(input);
        var commands = events.Where(e => e is not ContinuationEvent).ToList();
        commands.Should().ContainSingle();
        commands[0].Should().BeOfType<CommandEvent>().Which.Command.Should().BeEquivalentTo(expected, o => o.RespectingRuntimeTypes());
        commands[0].As<CommandEvent>().Command.Should().BeOfType(expected.GetType());
    }

    [Fact]
    public void Synchronizing_literals_ask_for_a_continuation_after_their_size_is_checked()
    {
        var events = ImapParserDriver.AllSplits("A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n");
        events.Should().HaveCount(3);
        events[0].Should().Be(new ContinuationEvent(11));
        events[1].Should().Be(new ContinuationEvent(7));
        events[2].As<CommandEvent>().Command.Should().BeEquivalentTo(new LoginCommand("A001", "FRED FOOBAR", "fat man"));
    }

    [Fact]
    public void Pipelined_commands_come_out_one_per_call_in_order()
    {
        var events = ImapParserDriver.AllSplits("a NOOP\r\nb SELECT INBOX\r\nc FETCH 1 UID\r\n");
        events.Select(e => e.As<CommandEvent>().Command.Tag).Should().Equal("a", "b", "c");
    }

    [Fact]
    public void Utf8_mailbox_names_are_read_after_utf8_accept_and_normalised_to_nfc()
    {
        var events = ImapParserDriver.AllSplits("a SELECT \"Entwu\u0308rfe\"\r\nb CREATE &Jjo-\r\n", utf8: true);
        events[0].As<CommandEvent>().Command.Should().BeEquivalentTo(new SelectCommand("a", "Entw\u00FCrfe"));
        events[1].As<CommandEvent>().Command.Should().BeEquivalentTo(new CreateCommand("b", "&Jjo-", []));
    }

    // ---- APPEND ------------------------------------------------------------------------------------------------

    [Fact]
    public void Append_hands_the_message_to_the_session_unbuffered_with_flags_and_date()
    {
        const string Input = "A003 APPEND saved-messages (\\Seen) \"05-Jan-1994 02:04:09 -0800\" {23}\r\nDate: Mon, 7 Feb 1994\r\n\r\n";
        var events = ImapParserDriver.AllSplits(Input);
        events.Should().HaveCount(2);
        var append = events[0].Should().BeOfType<AppendEvent>().Subject;
        append.Data.Should().Be("Date: Mon, 7 Feb 1994\r\n");
        append.Message.Should().BeEquivalentTo(new ImapAppendMessage("A003", "saved-messages", 0, ["\\Seen"],
            new DateTimeOffset(1994, 1, 5, 2, 4, 9, TimeSpan.FromHours(-8)), 23, true, false));
        events[1].As<CommandEvent>().Command.Should().BeEquivalentTo(new AppendCommand("A003", "saved-messages", [append.Message]));
    }

    [Fact]
    public void Multiappend_streams_each_message_then_completes_the_command()
    {
        // RFC 3502 §6 example, shortened, with a LITERAL+ second message, a literal mailbox name and a literal8.
        const string Input = "A003 APPEND {6+}\r\nSaved2 (\\Seen) \" 5-Nov-1994 14:12:03 +0100\" {5}\r\nHello (\\Seen \\Flagged) {3+}\r\nBye ~{2+}\r\n\0\x01\r\n";
        var events = ImapParserDriver.AllSplits(Input);
        events.Should().HaveCount(4);
        var messages = events.Take(3).Cast<AppendEvent>().ToList();
        messages.Select(m => m.Data).Should().Equal("Hello", "Bye", "\0\x01");
        messages.Select(m => m.Message.Index).Should().Equal(0, 1, 2);
        messages.Select(m => m.Message.IsSynchronizing).Should().Equal(true, false, false);
        messages.Select(m => m.Message.IsBinary).Should().Equal(false, false, true);
        messages[0].Message.InternalDate.Should().Be(new DateTimeOffset(1994, 11, 5, 14, 12, 3, TimeSpan.FromHours(1)));
        messages[1].Message.Flags.Should().Equal("\\Seen", "\\Flagged");
        messages.Should().OnlyContain(m => m.Message.Mailbox == "Saved2");
        events[3].As<CommandEvent>().Command.As<AppendCommand>().Messages.Should().HaveCount(3);
    }

    [Fact]
    public void UTF8_APPEND_data_extension_after_UTF8_ACCEPT()
    {
        // RFC 6855 §4: UTF8 (literal8); its ")" follows the data, then MULTIAPPEND may go on.
        const string Input = "a APPEND INBOX (\\Seen) UTF8 (~{3+}\r\nabc) UTF8 (~{2+}\r\nde)\r\n";
        var events = ImapParserDriver.AllSplits(Input, utf8: true);
        events.Should().HaveCount(3);
        events.Take(2).Cast<AppendEvent>().Select(e => e.Data).Should().Equal("abc", "de");
        events[0].As<AppendEvent>().Message.Flags.Should().Equal("\\Seen");
        events[2].As<CommandEvent>().Command.As<AppendCommand>().Messages.Should().HaveCount(2);

        var refused = ImapParserDriver.Whole("a APPEND INBOX UTF8 (~{3+}\r\nabc)\r\nb NOOP\r\n");
        refused[0].As<ErrorEvent>().Error.Text.Should().Be("Invalid APPEND arguments");
        refused[^1].As<CommandEvent>().Command.Should().BeEquivalentTo(new NoopCommand("b"));
    }

    [Fact]
    public void A_rejected_literal_plus_append_is_read_and_dropped_never_run_as_commands()
    {
        // SECURITY C3 / T11: the session refuses (e.g. NO [TRYCREATE]); "b DELETE INBOX" is literal data.
        var input = "a APPEND NoSuchBox {18+}\r\nb DELETE INBOX\r\n\r\n\r\nc NOOP\r\n"u8.ToArray();
        foreach (var cuts in new[] { [], Enumerable.Range(1, input.Length).ToArray() })
        {
            var events = ImapParserDriver.Run(input, cuts, ImapParserDriver.NewParser(), _ => false);
            events.Should().HaveCount(2);
            events[0].As<AppendEvent>().Data.Should().Be("<rejected>");
            events[1].As<CommandEvent>().Command.Should().BeEquivalentTo(new NoopCommand("c"));
        }
    }

    [Fact]
    public void Reject_literal_returns_the_bytes_it_will_drop()
    {
        var parser = ImapParserDriver.NewParser();
        var reader = new System.Buffers.SequenceReader<byte>(new System.Buffers.ReadOnlySequence<byte>("a APPEND x {1234+}\r\n"u8.ToArray()));
        parser.TryParse(ref reader, out _, out _).Should().Be(ImapParseStatus.AppendLiteral);
        parser.RejectLiteral().Should().Be(1234);

        var sync = ImapParserDriver.NewParser();
        var syncReader = new System.Buffers.SequenceReader<byte>(new System.Buffers.ReadOnlySequence<byte>("a APPEND x {1234}\r\nb NOOP\r\n"u8.ToArray()));
        sync.TryParse(ref syncReader, out _, out _).Should().Be(ImapParseStatus.AppendLiteral);
        sync.RejectLiteral().Should().Be(0);
        sync.TryParse(ref syncReader, out var next, out _).Should().Be(ImapParseStatus.Complete);
        next.Should().BeEquivalentTo(new NoopCommand("b"));
    }
}
