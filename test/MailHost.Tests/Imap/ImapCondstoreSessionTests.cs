using System.Globalization;
using System.Text.RegularExpressions;
using MailHost.Storage;

namespace MailHost.Tests.Imap;

/// <summary>
/// CONDSTORE awareness on a session over in-memory pipes (RFC 7162 §3.1): which commands turn it on, the
/// HIGHESTMODSEQ the first one sends in the selected state (§3.1.2.1), MODSEQ in every FETCH response a flag change
/// causes (§3.1, §3.1.3, §3.2.4 for QRESYNC), and the MODSEQ of SEARCH, ESEARCH and SORT results (§3.1.5, §3.1.9,
/// RFC 4731 §3.2). Each derived class runs it on one store.
/// </summary>
public abstract partial class ImapCondstoreSessionTests : IAsyncLifetime
{
    private IMailStore? _store;

    private IMailStore Store => _store ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>A new, empty store.</summary>
    protected abstract Task<IMailStore> OpenStoreAsync();

    public async Task InitializeAsync() => _store = await OpenStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));

    public virtual async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    /// <summary>Every command that RFC 7162 §3.1 makes CONDSTORE-enabling, as issued in the selected state.</summary>
    public static TheoryData<string> EnablingCommands =>
    [
        "FETCH 1 MODSEQ",
        "UID FETCH 1 (FLAGS MODSEQ)",
        "FETCH 1 (FLAGS) (CHANGEDSINCE 1)",
        "SEARCH MODSEQ 1",
        "UID SEARCH RETURN (COUNT) MODSEQ \"/flags/\\\\seen\" all 1",
        "STORE 1 (UNCHANGEDSINCE 9223372036854775807) +FLAGS.SILENT (\\Draft)",
        "STATUS INBOX (HIGHESTMODSEQ)",
        "SORT (ARRIVAL) UTF-8 MODSEQ 1",
        "THREAD REFERENCES UTF-8 MODSEQ 1",
    ];

    /// <summary>Commands that are not CONDSTORE-enabling.</summary>
    public static TheoryData<string> OrdinaryCommands =>
    [
        "FETCH 1 (FLAGS UID)",
        "SEARCH ALL",
        "STATUS INBOX (MESSAGES UIDNEXT)",
        "STORE 1 +FLAGS (\\Draft)",
        "SORT (ARRIVAL) UTF-8 ALL",
    ];

    [Fact]
    public async Task FETCH_MODSEQ_turns_CONDSTORE_on_so_STORE_answers_carry_MODSEQ()
    {
        await using var imap = await SessionWithMessagesAsync(1);
        var select = await CommandAsync(imap, "s", "SELECT INBOX");
        var highest = Capture(select, HighestModSeqLine());

        var fetched = await CommandAsync(imap, "a", "FETCH 1 MODSEQ");
        fetched.Should().HaveCount(3);
        fetched[0].Should().Be($"* OK [HIGHESTMODSEQ {highest}] Highest", "the first CONDSTORE-enabling command in the selected state reports HIGHESTMODSEQ first");
        var before = Capture(fetched, FetchModSeqOnly());
        fetched[2].Should().Be("a OK FETCH completed");

        var stored = await CommandAsync(imap, "b", "STORE 1 +FLAGS \\Seen");
        stored.Should().HaveCount(2);
        var after = Capture(stored, new Regex(@"^\* 1 FETCH \(FLAGS \(\\Seen\) MODSEQ \((\d+)\)\)$"));
        after.Should().BeGreaterThan(before);

        (await CommandAsync(imap, "c", "FETCH 1 MODSEQ")).Should().Equal($"* 1 FETCH (MODSEQ ({after}))", "c OK FETCH completed");
    }

    [Theory]
    [MemberData(nameof(EnablingCommands))]
    public async Task Each_enabling_command_sends_HIGHESTMODSEQ_once_and_turns_MODSEQ_on(string command)
    {
        await using var imap = await SessionWithMessagesAsync(2);
        var highest = Capture(await CommandAsync(imap, "s", "SELECT INBOX"), HighestModSeqLine());

        var first = await CommandAsync(imap, "a", command);
        first[0].Should().Be($"* OK [HIGHESTMODSEQ {highest}] Highest");
        first.Should().ContainSingle(l => l.StartsWith("* OK [HIGHESTMODSEQ", StringComparison.Ordinal));
        first[^1].Should().StartWith("a OK");

        (await CommandAsync(imap, "b", command)).Should().NotContain(l => l.StartsWith("* OK [HIGHESTMODSEQ", StringComparison.Ordinal), "only the first enabling command reports it");
        var stored = await CommandAsync(imap, "c", "STORE 2 +FLAGS (\\Answered)");
        stored.Should().ContainSingle(l => l.StartsWith("* 2 FETCH", StringComparison.Ordinal))
            .Which.Should().MatchRegex(@"^\* 2 FETCH \(FLAGS \(\\Answered\) MODSEQ \(\d+\)\)$");
    }

    [Theory]
    [MemberData(nameof(OrdinaryCommands))]
    public async Task Other_commands_leave_CONDSTORE_off(string command)
    {
        await using var imap = await SessionWithMessagesAsync(2);
        await CommandAsync(imap, "s", "SELECT INBOX");

        (await CommandAsync(imap, "a", command)).Should().NotContain(l => l.StartsWith("* OK [HIGHESTMODSEQ", StringComparison.Ordinal));
        (await CommandAsync(imap, "b", "STORE 2 +FLAGS (\\Answered)")).Should().Equal("* 2 FETCH (FLAGS (\\Answered))", "b OK STORE completed");
    }

    [Theory]
    [InlineData("ENABLE CONDSTORE", "SELECT INBOX", "* 1 FETCH (FLAGS (\\Seen) MODSEQ (")]
    [InlineData("ENABLE QRESYNC", "SELECT INBOX", "* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (")]
    [InlineData("STATUS INBOX (HIGHESTMODSEQ)", "SELECT INBOX", "* 1 FETCH (FLAGS (\\Seen) MODSEQ (")]
    [InlineData("NOOP", "SELECT INBOX (CONDSTORE)", "* 1 FETCH (FLAGS (\\Seen) MODSEQ (")]
    [InlineData("NOOP", "EXAMINE INBOX (CONDSTORE)", null)]
    public async Task Enabled_before_SELECT_the_SELECT_reports_HIGHESTMODSEQ_once_and_nothing_repeats_it(string before, string select, string? storeLine)
    {
        await using var imap = await SessionWithMessagesAsync(1);
        (await CommandAsync(imap, "a", before))[^1].Should().StartWith("a OK");

        var selected = await CommandAsync(imap, "s", select);
        selected.Should().ContainSingle(l => l.StartsWith("* OK [HIGHESTMODSEQ", StringComparison.Ordinal));
        (await CommandAsync(imap, "b", "FETCH 1 MODSEQ")).Should().HaveCount(2).And.NotContain(l => l.StartsWith("* OK", StringComparison.Ordinal));
        if (storeLine is not null)
        {
            (await CommandAsync(imap, "c", "STORE 1 +FLAGS (\\Seen)"))[0].Should().StartWith(storeLine).And.EndWith("))");
        }
    }

    [Fact]
    public async Task STORE_SILENT_reports_only_the_new_MODSEQ_of_what_it_changed_once_CONDSTORE_is_on()
    {
        await using var imap = await SessionWithMessagesAsync(2);
        await CommandAsync(imap, "s", "SELECT INBOX");
        (await CommandAsync(imap, "a", "STORE 1 +FLAGS.SILENT (\\Flagged)")).Should().Equal("a OK STORE completed");

        await CommandAsync(imap, "b", "FETCH 1 MODSEQ");
        var silent = await CommandAsync(imap, "c", "STORE 1:2 +FLAGS.SILENT (\\Flagged)");
        silent.Should().HaveCount(2, "message 1 already had \\Flagged and keeps its mod-sequence");
        var modSeq = Capture(silent, new Regex(@"^\* 2 FETCH \(MODSEQ \((\d+)\)\)$"));
        (await CommandAsync(imap, "d", "FETCH 2 (MODSEQ)")).Should().Equal($"* 2 FETCH (MODSEQ ({modSeq}))", "d OK FETCH completed");

        // RFC 7162 §3.1.3 Example 3: with UNCHANGEDSINCE the same, and [MODIFIED] names what was kept.
        var conditional = await CommandAsync(imap, "e", $"STORE 1:2 (UNCHANGEDSINCE {modSeq - 1}) +FLAGS.SILENT (\\Deleted)");
        conditional.Should().HaveCount(2);
        conditional[0].Should().MatchRegex(@"^\* 1 FETCH \(MODSEQ \(\d+\)\)$");
        conditional[1].Should().Be("e OK [MODIFIED 2] Conditional STORE failed for some messages");
    }

    [Fact]
    public async Task FLAGS_go_out_with_their_MODSEQ_once_CONDSTORE_is_on()
    {
        await using var imap = await SessionWithMessagesAsync(1);
        await CommandAsync(imap, "s", "SELECT INBOX");
        (await CommandAsync(imap, "a", "FETCH 1 FLAGS")).Should().Equal("* 1 FETCH (FLAGS ())", "a OK FETCH completed");

        await CommandAsync(imap, "b", "SEARCH MODSEQ 0");
        (await CommandAsync(imap, "c", "FETCH 1 FLAGS"))[0].Should().MatchRegex(@"^\* 1 FETCH \(FLAGS \(\) MODSEQ \(\d+\)\)$");

        // A FETCH that sets \Seen reports the new flags with the new mod-sequence (RFC 9051 §6.4.5, RFC 7162 §3.1).
        var body = await CommandAsync(imap, "d", "FETCH 1 BODY[TEXT]");
        body[^2].Should().MatchRegex(@"^ FLAGS \(\\Seen\) MODSEQ \(\d+\)\)$");
        var modSeq = Regex.Match(body[^2], @"MODSEQ \((\d+)\)").Groups[1].Value;
        (await CommandAsync(imap, "e", "FETCH 1 (FLAGS MODSEQ)")).Should().Equal($"* 1 FETCH (FLAGS (\\Seen) MODSEQ ({modSeq}))", "e OK FETCH completed");
    }

    [Fact]
    public async Task Another_sessions_changes_arrive_with_MODSEQ_only_where_CONDSTORE_is_on()
    {
        await using var aware = await SessionWithMessagesAsync(2);
        await using var plain = await LoggedInAsync();
        await using var qresync = await LoggedInAsync();
        await using var writer = await LoggedInAsync();
        await CommandAsync(aware, "s", "SELECT INBOX");
        await CommandAsync(aware, "m", "FETCH 1 MODSEQ");
        await CommandAsync(plain, "s", "SELECT INBOX");
        await CommandAsync(qresync, "e", "ENABLE QRESYNC");
        await CommandAsync(qresync, "s", "SELECT INBOX");
        await CommandAsync(writer, "s", "SELECT INBOX (CONDSTORE)");

        var stored = await CommandAsync(writer, "a", "STORE 2 +FLAGS (\\Seen $Work)");
        var modSeq = Capture(stored, new Regex(@"^\* 2 FETCH \(FLAGS \(\\Seen \$Work\) MODSEQ \((\d+)\)\)$"));

        (await CommandAsync(aware, "n", "NOOP")).Should().Contain($"* 2 FETCH (UID 2 FLAGS (\\Seen $Work) MODSEQ ({modSeq}))");
        (await CommandAsync(qresync, "n", "NOOP")).Should().Contain($"* 2 FETCH (UID 2 FLAGS (\\Seen $Work) MODSEQ ({modSeq}))");
        (await CommandAsync(plain, "n", "NOOP")).Should().Contain("* 2 FETCH (UID 2 FLAGS (\\Seen $Work))");
    }

    [Fact]
    public async Task QRESYNC_puts_UID_in_the_FETCH_responses_STORE_and_implicit_Seen_cause()
    {
        await using var imap = await SessionWithMessagesAsync(1);
        await CommandAsync(imap, "e", "ENABLE QRESYNC");
        await CommandAsync(imap, "s", "SELECT INBOX");

        (await CommandAsync(imap, "a", "STORE 1 +FLAGS (\\Flagged)"))[0].Should().MatchRegex(@"^\* 1 FETCH \(UID 1 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$");
        (await CommandAsync(imap, "b", "STORE 1 +FLAGS.SILENT (\\Draft)"))[0].Should().MatchRegex(@"^\* 1 FETCH \(UID 1 MODSEQ \(\d+\)\)$");
        (await CommandAsync(imap, "c", "FETCH 1 BODY[TEXT]"))[^2].Should().MatchRegex(@"^ UID 1 FLAGS \(\\Seen \\Flagged \\Draft\) MODSEQ \(\d+\)\)$");
    }

    [Fact]
    public async Task SEARCH_MODSEQ_matches_from_the_value_up_and_reports_the_MODSEQ_of_what_it_returns()
    {
        await using var imap = await SessionWithMessagesAsync(4);
        await CommandAsync(imap, "s", "SELECT INBOX");
        await CommandAsync(imap, "a", "FETCH 1 MODSEQ");

        // Changed in the order 1, 3, 2, 4: their mod-sequences rise in that order.
        var m = new Dictionary<int, ulong>();
        foreach (var n in new[] { 1, 3, 2, 4 })
        {
            m[n] = Capture(await CommandAsync(imap, "t" + n, $"STORE {n} +FLAGS \\Seen"), new Regex($@"^\* {n} FETCH \(FLAGS \(\\Seen\) MODSEQ \((\d+)\)\)$"));
        }

        m[1].Should().BeLessThan(m[3]);
        m[3].Should().BeLessThan(m[2]);
        m[2].Should().BeLessThan(m[4]);

        // RFC 7162 §3.1.5: the entry names a flag; one mod-sequence per message serves every entry.
        const string Seen = "MODSEQ \"/flags/\\\\seen\" all";
        (await CommandAsync(imap, "b", $"SEARCH RETURN (MIN) 1:3 {Seen} 1")).Should().Equal($"* ESEARCH (TAG \"b\") MIN 1 MODSEQ {m[1]}", "b OK SEARCH completed");
        (await CommandAsync(imap, "c", $"SEARCH RETURN (MAX) 1:3 {Seen} 1")).Should().Equal($"* ESEARCH (TAG \"c\") MAX 3 MODSEQ {m[3]}", "c OK SEARCH completed");
        (await CommandAsync(imap, "d", $"SEARCH RETURN () 1:3 {Seen} 1")).Should().Equal($"* ESEARCH (TAG \"d\") ALL 1:3 MODSEQ {m[2]}", "d OK SEARCH completed");
        (await CommandAsync(imap, "e", $"SEARCH RETURN (MIN MAX) 2:3 {Seen} 1")).Should().Equal($"* ESEARCH (TAG \"e\") MIN 2 MAX 3 MODSEQ {m[2]}", "e OK SEARCH completed");
        (await CommandAsync(imap, "f", $"SEARCH RETURN (ALL) 2:3 {Seen} {m[3]}")).Should().Equal($"* ESEARCH (TAG \"f\") ALL 2:3 MODSEQ {m[2]}", "f OK SEARCH completed");
        (await CommandAsync(imap, "g", $"SEARCH RETURN (ALL) 2:3 {Seen} {m[2]}")).Should().Equal($"* ESEARCH (TAG \"g\") ALL 2 MODSEQ {m[2]}", "g OK SEARCH completed");
        (await CommandAsync(imap, "h", $"SEARCH RETURN (ALL) 2:3 {Seen} {m[4]}")).Should().Equal("* ESEARCH (TAG \"h\")", "h OK SEARCH completed");
        (await CommandAsync(imap, "i", $"SEARCH RETURN (COUNT) {Seen} 1")).Should().Equal($"* ESEARCH (TAG \"i\") COUNT 4 MODSEQ {m[4]}", "i OK SEARCH completed");
        (await CommandAsync(imap, "j", $"UID SEARCH RETURN (MIN) MODSEQ {m[3]}")).Should().Equal($"* ESEARCH (TAG \"j\") UID MIN 2 MODSEQ {m[2]}", "j OK SEARCH completed");

        // RFC 7162 §3.1.6: plain SEARCH ends a non-empty result with (MODSEQ n), and an empty one without.
        (await CommandAsync(imap, "k", $"SEARCH MODSEQ {m[3]}")).Should().Equal($"* SEARCH 2 3 4 (MODSEQ {m[4]})", "k OK SEARCH completed");
        (await CommandAsync(imap, "l", $"SEARCH 1:3 {Seen} {m[4]}")).Should().Equal("* SEARCH", "l OK SEARCH completed");

        // RFC 7162 §3.1.9: SORT the same; ESORT like ESEARCH, MIN and MAX taken in sort order (RFC 5267 §3.2).
        (await CommandAsync(imap, "n", $"SORT (REVERSE DATE) UTF-8 MODSEQ {m[3]}")).Should().Equal($"* SORT 4 3 2 (MODSEQ {m[4]})", "n OK SORT completed");
        (await CommandAsync(imap, "o", "SORT RETURN (MAX) (REVERSE DATE) UTF-8 1:3 MODSEQ 1")).Should().Equal($"* ESEARCH (TAG \"o\") MAX 1 MODSEQ {m[1]}", "o OK SORT completed");
        (await CommandAsync(imap, "p", $"SORT (DATE) UTF-8 MODSEQ {m[4]} NOT 4")).Should().Equal("* SORT", "p OK SORT completed");
        (await CommandAsync(imap, "q", "SORT (DATE) UTF-8 ALL")).Should().Equal("* SORT 1 2 3 4", "q OK SORT completed");
    }

    /// <summary>
    /// A logged-in session, not yet selected, on an INBOX of <paramref name="messages"/> messages that another session
    /// has already selected: none is \Recent here (RFC 3501 §2.3.2), so FLAGS show only what the tests set.
    /// </summary>
    private async Task<InMemoryImapConnection> SessionWithMessagesAsync(int messages)
    {
        var imap = await LoggedInAsync();
        for (var i = 1; i <= messages; i++)
        {
            await imap.DeliverAsync(Message(i));
        }

        await using (var first = await LoggedInAsync())
        {
            (await CommandAsync(first, "s", "SELECT INBOX"))[^1].Should().StartWith("s OK");
        }

        return imap;
    }

    private async Task<InMemoryImapConnection> LoggedInAsync()
    {
        var imap = new InMemoryImapConnection(Store);
        (await imap.ReadLineAsync()).Should().StartWith("* OK");
        (await CommandAsync(imap, "l", "LOGIN alice@example.com alice-pw"))[^1].Should().StartWith("l OK");
        return imap;
    }

    private static string Message(int n)
        => $"From: bob@example.com\nTo: alice@example.com\nSubject: Message {n}\nMessage-ID: <m{n}@example.com>\nDate: Sat, 28 Nov 2026 10:0{n % 10}:00 +0000\n\nHello {n}\n";

    /// <summary>Every line of the answer to one command, the tagged line last.</summary>
    private static async Task<List<string>> CommandAsync(InMemoryImapConnection imap, string tag, string command)
    {
        await imap.SendAsync($"{tag} {command}\r\n");
        var lines = new List<string>();
        while (await imap.ReadLineAsync() is { } line)
        {
            lines.Add(line);
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                return lines;
            }
        }

        throw new InvalidOperationException("The session ended; got: " + string.Join(" | ", lines));
    }

    /// <summary>The number captured by <paramref name="pattern"/> from the one line it matches.</summary>
    private static ulong Capture(List<string> lines, Regex pattern)
    {
        var line = lines.Should().ContainSingle(l => pattern.IsMatch(l), $"one line should match {pattern}").Subject;
        return ulong.Parse(pattern.Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^\* OK \[HIGHESTMODSEQ (\d+)\] Highest$")]
    private static partial Regex HighestModSeqLine();

    [GeneratedRegex(@"^\* 1 FETCH \(MODSEQ \((\d+)\)\)$")]
    private static partial Regex FetchModSeqOnly();
}
