using System.Text;
using MailHost.Hosting;
using MailHost.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;
using MailHost.TestSupport;

namespace MailHost.IntegrationTests.Imap;

/// <summary>The selected state: FETCH, STORE, SEARCH, COPY, MOVE, EXPUNGE, untagged updates and IDLE.</summary>
public abstract class ImapMessageTests(TestStoreKind kind) : MailWorldTests(kind)
{
    private const string Multipart =
        "From: \"Bob\" <bob@example.com>\nTo: alice@example.com\nSubject: Parts\nMessage-ID: <parts@example.com>\n" +
        "Date: Sat, 28 Nov 2026 10:00:00 +0000\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n" +
        "--b\nContent-Type: text/plain; charset=utf-8\n\nHello part one\n" +
        "--b\nContent-Type: message/rfc822\n\nFrom: carol@example.com\nSubject: Inner\n\nInner body\n" +
        "--b--\n";

    private static async Task<(TestMailServer<ImapConnectionHandler> Server, ImapClient Client)> ConnectAsync(MailWorld world)
    {
        var server = await ImapTestServer.StartAsync(world, MailTlsMode.Implicit);
        var client = await ImapTestServer.ConnectMailKitAsync(server.Port, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("alice", MailWorld.AlicePassword);
        return (server, client);
    }

    [StoreFact]
    public async Task FETCH_serves_structure_envelope_sections_and_partials_from_the_index()
    {
        var world = await NewWorldAsync();
        var bytes = await world.DeliverAsync("alice", Multipart);
        var (server, client) = await ConnectAsync(world);
        await using var _ = server;
        using var __ = client;
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);

        var summary = (await client.Inbox.FetchAsync(0, 0, MessageSummaryItems.Full | MessageSummaryItems.BodyStructure | MessageSummaryItems.UniqueId
            | MessageSummaryItems.ModSeq | MessageSummaryItems.EmailId | MessageSummaryItems.ThreadId | MessageSummaryItems.SaveDate | MessageSummaryItems.PreviewText)).Single();
        summary.Envelope!.Subject.Should().Be("Parts");
        summary.Envelope.From.Mailboxes.Single().Address.Should().Be("bob@example.com");
        summary.Size.Should().Be((uint)bytes.Length);
        var body = (BodyPartMultipart)summary.Body!;
        body.ContentType.MediaSubtype.Should().Be("mixed");
        body.BodyParts.Should().HaveCount(2);
        ((BodyPartText)body.BodyParts[0]).ContentType.Charset.Should().Be("utf-8");
        ((BodyPartMessage)body.BodyParts[1]).Envelope!.Subject.Should().Be("Inner");
        summary.ModSeq.Should().BeGreaterThan(0);
        summary.EmailId.Should().NotBeNullOrEmpty();
        summary.ThreadId.Should().NotBeNullOrEmpty();
        summary.SaveDate.Should().NotBeNull();
        summary.PreviewText.Should().Contain("Hello part one");

        var part = (TextPart)await client.Inbox.GetBodyPartAsync(summary.UniqueId, body.BodyParts[0]);
        part.Text.Should().Contain("Hello part one");
        var inner = (MessagePart)await client.Inbox.GetBodyPartAsync(summary.UniqueId, body.BodyParts[1]);
        inner.Message!.Subject.Should().Be("Inner");

        var text = Encoding.UTF8.GetString(bytes);
        using var partial = await client.Inbox.GetStreamAsync(summary.UniqueId, 5, 10);
        using var copy = new MemoryStream();
        await partial.CopyToAsync(copy);
        Encoding.UTF8.GetString(copy.ToArray()).Should().Be(text.Substring(5, 10));
    }

    [StoreFact]
    public async Task FETCH_sections_match_the_RFC_part_rules_on_the_wire()
    {
        var world = await NewWorldAsync();
        await world.DeliverAsync("alice", Multipart);
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await ImapTestServer.LoginAsync(server);
        await client.CommandAsync("s", "EXAMINE INBOX");

        (await client.CommandAsync("a", "FETCH 1 (BODY.PEEK[1]<0.5>)")).Should().Equal("* 1 FETCH (BODY[1]<0> {5}", "Hello)", "a OK FETCH completed");
        (await client.CommandAsync("b", "FETCH 1 BODY.PEEK[2.HEADER.FIELDS (subject)]")).Should().Equal(
            "* 1 FETCH (BODY[2.HEADER.FIELDS (SUBJECT)] {18}", "Subject: Inner", "", ")", "b OK FETCH completed");
        (await client.CommandAsync("c", "FETCH 1 BODY.PEEK[2.TEXT]")).Should().Equal("* 1 FETCH (BODY[2.TEXT] {10}", "Inner body)", "c OK FETCH completed");
        (await client.CommandAsync("d", "FETCH 1 BODY.PEEK[9]")).Should().Equal("* 1 FETCH (BODY[9] \"\")", "d OK FETCH completed");
        (await client.CommandAsync("e", "UID FETCH 1 (FLAGS)")).Should().Equal("* 1 FETCH (FLAGS (\\Recent) UID 1)", "e OK FETCH completed");
        (await client.CommandAsync("f", "FETCH 2 FLAGS")).Should().Equal("f BAD [CLIENTBUG] Invalid message sequence number");
        (await client.CommandAsync("g", "FETCH 1 RFC822.HEADER")).Last().Should().Be("g OK FETCH completed");
    }

    [StoreFact]
    public async Task FETCH_BODY_sets_Seen_and_reports_it_but_PEEK_does_not()
    {
        var world = await NewWorldAsync();
        await world.DeliverAsync("alice", MailWorld.Message(1));
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await ImapTestServer.LoginAsync(server);
        await client.CommandAsync("s", "SELECT INBOX");

        (await client.CommandAsync("a", "FETCH 1 BODY.PEEK[TEXT]")).Should().Equal("* 1 FETCH (BODY[TEXT] {7}", "Hello", ")", "a OK FETCH completed");
        (await client.CommandAsync("b", "FETCH 1 BODY[TEXT]")).Should().Equal("* 1 FETCH (BODY[TEXT] {7}", "Hello", " FLAGS (\\Seen \\Recent))", "b OK FETCH completed");
        (await client.CommandAsync("c", "FETCH 1 FLAGS")).Should().Equal("* 1 FETCH (FLAGS (\\Seen \\Recent))", "c OK FETCH completed");
    }

    [StoreFact]
    public async Task STORE_with_UNCHANGEDSINCE_reports_MODIFIED_and_MODSEQ()
    {
        var world = await NewWorldAsync();
        await world.DeliverAsync("alice", MailWorld.Message(1));
        await world.DeliverAsync("alice", MailWorld.Message(2));
        var (server, client) = await ConnectAsync(world);
        await using var _ = server;
        using var __ = client;
        await client.Inbox.OpenAsync(FolderAccess.ReadWrite);

        await client.Inbox.AddFlagsAsync(0, MessageFlags.Flagged, silent: false);
        var modSeq = (await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.ModSeq)).Select(s => s.ModSeq!.Value).ToList();
        modSeq[0].Should().BeGreaterThan(modSeq[1]);
        var kept = await client.Inbox.StoreAsync([0, 1], new StoreFlagsRequest(StoreAction.Add, MessageFlags.Answered) { Silent = true, UnchangedSince = modSeq[1] });
        kept.Should().Equal(0);
        var flags = await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.Flags);
        flags[0].Flags.Should().Be(MessageFlags.Flagged | MessageFlags.Recent, "the session that selected first holds \\Recent");
        flags[1].Flags.Should().Be(MessageFlags.Answered | MessageFlags.Recent);

        await client.Inbox.StoreAsync(0, new StoreFlagsRequest(StoreAction.Add, ["$Important"]) { Silent = true });
        (await client.Inbox.FetchAsync(0, 0, MessageSummaryItems.Flags)).Single().Keywords.Should().Contain("$Important");
    }

    [StoreFact]
    public async Task SEARCH_ESEARCH_and_SEARCHRES()
    {
        var world = await NewWorldAsync();
        for (var i = 1; i <= 5; i++)
        {
            await world.DeliverAsync("alice", MailWorld.Message(i, i % 2 == 0 ? "even body" : "odd body"));
        }

        var (server, client) = await ConnectAsync(world);
        await using var _ = server;
        using var __ = client;
        await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
        await client.Inbox.AddFlagsAsync([1, 3], MessageFlags.Seen, true);

        (await client.Inbox.SearchAsync(SearchQuery.BodyContains("even"))).Select(u => u.Id).Should().Equal(2u, 4u);
        (await client.Inbox.SearchAsync(SearchQuery.NotSeen.And(SearchQuery.SubjectContains("Message")))).Select(u => u.Id).Should().Equal(1u, 3u, 5u);
        (await client.Inbox.SearchAsync(SearchQuery.Or(SearchQuery.HeaderContains("Message-ID", "m5@"), SearchQuery.Uids([new UniqueId(1)])))).Select(u => u.Id).Should().Equal(1u, 5u);
        (await client.Inbox.SearchAsync(SearchQuery.YoungerThan(3600))).Should().HaveCount(5);
        var results = await client.Inbox.SearchAsync(SearchOptions.Count | SearchOptions.Min | SearchOptions.Max, SearchQuery.Seen);
        results.Count.Should().Be(2);
        results.Min!.Value.Id.Should().Be(2);
        results.Max!.Value.Id.Should().Be(4);
        var changed = await client.Inbox.SearchAsync(SearchQuery.ChangedSince(1));
        changed.Should().NotBeEmpty();
    }

    [StoreFact]
    public async Task SEARCHRES_saves_results_for_later_commands_and_bad_charsets_are_refused()
    {
        var world = await NewWorldAsync();
        for (var i = 1; i <= 3; i++)
        {
            await world.DeliverAsync("alice", MailWorld.Message(i));
        }

        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await ImapTestServer.LoginAsync(server);
        await client.CommandAsync("s", "SELECT INBOX");

        (await client.CommandAsync("a", "UID SEARCH RETURN (SAVE) SUBJECT \"Message 2\"")).Should().Equal("a OK SEARCH completed");
        (await client.CommandAsync("b", "FETCH $ (UID)")).Should().Equal("* 2 FETCH (UID 2)", "b OK FETCH completed");
        (await client.CommandAsync("c", "SEARCH RETURN (MIN MAX COUNT ALL) ALL")).Should().Equal("* ESEARCH (TAG \"c\") MIN 1 MAX 3 ALL 1:3 COUNT 3", "c OK SEARCH completed");
        (await client.CommandAsync("d", "SEARCH CHARSET KOI8-R ALL")).Should().Equal("d NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset");
        (await client.CommandAsync("e", "SEARCH 2:* NOT 3")).Should().Equal("* SEARCH 2", "e OK SEARCH completed");
        await client.CommandAsync("g", "STORE 2 +FLAGS.SILENT (\\Flagged)");
        // RFC 7162 §3.1: FETCH MODSEQ is the first CONDSTORE-enabling command here, so HIGHESTMODSEQ comes first.
        var fetched = await client.CommandAsync("h", "FETCH 1:3 MODSEQ");
        fetched[0].Should().StartWith("* OK [HIGHESTMODSEQ ");
        var second = fetched.Single(l => l.StartsWith("* 2 FETCH", StringComparison.Ordinal)).Split('(', ')')[2];
        var third = fetched.Single(l => l.StartsWith("* 3 FETCH", StringComparison.Ordinal)).Split('(', ')')[2];
        (await client.CommandAsync("f", "SEARCH MODSEQ " + second)).Should().Equal($"* SEARCH 2 (MODSEQ {second})", "f OK SEARCH completed");
        (await client.CommandAsync("i", "SEARCH MODSEQ 1 NOT 2")).Should().Equal($"* SEARCH 1 3 (MODSEQ {third})", "i OK SEARCH completed");
    }

    [StoreFact]
    public async Task COPY_and_MOVE_answer_COPYUID_and_MOVE_expunges_from_the_source()
    {
        var world = await NewWorldAsync();
        for (var i = 1; i <= 3; i++)
        {
            await world.DeliverAsync("alice", MailWorld.Message(i));
        }

        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await ImapTestServer.LoginAsync(server);
        await client.CommandAsync("s", "SELECT INBOX");

        (await client.CommandAsync("a", "COPY 1:2 Archive")).Single().Should().MatchRegex(@"^a OK \[COPYUID \d+ 1:2 1:2\] COPY completed$");
        (await client.CommandAsync("b", "COPY 1 Nowhere")).Single().Should().StartWith("b NO [TRYCREATE]");
        var move = await client.CommandAsync("c", "UID MOVE 2 Trash");
        move.Should().HaveCount(3);
        move[0].Should().MatchRegex(@"^\* OK \[COPYUID \d+ 2 1\] Moved$");
        move[1].Should().Be("* 2 EXPUNGE");
        move[2].Should().Be("c OK MOVE completed");
        (await client.CommandAsync("d", "FETCH 2 UID")).Should().Equal("* 2 FETCH (UID 3)", "d OK FETCH completed");
        (await client.CommandAsync("e", "STATUS Archive (MESSAGES)")).Should().Equal("* STATUS Archive (MESSAGES 2)", "e OK STATUS completed");
    }

    [StoreFact]
    public async Task EXPUNGE_and_UID_EXPUNGE_remove_only_what_they_should()
    {
        var world = await NewWorldAsync();
        for (var i = 1; i <= 4; i++)
        {
            await world.DeliverAsync("alice", MailWorld.Message(i));
        }

        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await ImapTestServer.LoginAsync(server);
        await client.CommandAsync("s", "SELECT INBOX");

        (await client.CommandAsync("a", "STORE 1:3 +FLAGS.SILENT (\\Deleted)")).Should().Equal("a OK STORE completed");
        (await client.CommandAsync("b", "UID EXPUNGE 2")).Should().Equal("* 2 EXPUNGE", "b OK EXPUNGE completed");
        (await client.CommandAsync("c", "EXPUNGE")).Should().Equal("* 2 EXPUNGE", "* 1 EXPUNGE", "c OK EXPUNGE completed");
        (await client.CommandAsync("d", "FETCH 1 UID")).Should().Equal("* 1 FETCH (UID 4)", "d OK FETCH completed");
        (await client.CommandAsync("e", "EXAMINE INBOX")).Should().Contain("* 1 EXISTS");
        (await client.CommandAsync("f", "EXPUNGE")).Should().Equal("f NO [CANNOT] The mailbox is read-only");
    }

    [StoreFact]
    public async Task Expunges_by_another_session_wait_while_FETCH_by_sequence_number_runs()
    {
        // RFC 9051 §7.5.1: no EXPUNGE during FETCH, STORE or SEARCH by sequence number.
        var world = await NewWorldAsync();
        for (var i = 1; i <= 3; i++)
        {
            await world.DeliverAsync("alice", MailWorld.Message(i));
        }

        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var a = await ImapTestServer.LoginAsync(server);
        await using var b = await ImapTestServer.LoginAsync(server);
        await a.CommandAsync("s", "SELECT INBOX");
        await b.CommandAsync("s", "SELECT INBOX");

        await b.CommandAsync("x", "STORE 2 +FLAGS.SILENT (\\Deleted)");
        (await b.CommandAsync("y", "EXPUNGE")).Should().Equal("* 2 EXPUNGE", "y OK EXPUNGE completed");
        await world.DeliverAsync("alice", MailWorld.Message(4));

        var fetch = await a.CommandAsync("f", "FETCH 1:3 UID");
        fetch.Should().NotContain(l => l.EndsWith("EXPUNGE", StringComparison.Ordinal));
        // RFC 2180 §4.1.1: the expunged message is still served until the session may say it is gone.
        fetch.Should().Contain("* 1 FETCH (UID 1)").And.Contain("* 2 FETCH (UID 2)").And.Contain("* 3 FETCH (UID 3)").And.Contain("* 4 EXISTS");
        fetch.Last().Should().Be("f OK FETCH completed");
        (await a.CommandAsync("n", "NOOP")).Should().Equal("* 2 EXPUNGE", "n OK NOOP completed");
        (await a.CommandAsync("g", "FETCH 3 UID")).Should().Equal("* 3 FETCH (UID 4)", "g OK FETCH completed");
    }

    [StoreFact]
    public async Task Flag_changes_by_another_session_arrive_as_FETCH_and_QRESYNC_clients_get_VANISHED()
    {
        var world = await NewWorldAsync();
        for (var i = 1; i <= 3; i++)
        {
            await world.DeliverAsync("alice", MailWorld.Message(i));
        }

        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var a = await ImapTestServer.LoginAsync(server);
        await using var b = await ImapTestServer.LoginAsync(server);
        (await a.CommandAsync("e", "ENABLE QRESYNC")).Should().Equal("* ENABLED QRESYNC", "e OK ENABLE completed");
        var select = await a.CommandAsync("s", "SELECT INBOX");
        var highest = select.Single(l => l.StartsWith("* OK [HIGHESTMODSEQ", StringComparison.Ordinal)).Split(' ', ']')[3];
        var validity = select.Single(l => l.StartsWith("* OK [UIDVALIDITY", StringComparison.Ordinal)).Split(' ', ']')[3];
        await b.CommandAsync("s", "SELECT INBOX");

        await b.CommandAsync("x", "STORE 1 +FLAGS.SILENT (\\Flagged)");
        await b.CommandAsync("y", "STORE 3 +FLAGS.SILENT (\\Deleted)");
        await b.CommandAsync("z", "EXPUNGE");
        var noop = await a.CommandAsync("n", "NOOP");
        noop.Should().Contain("* VANISHED 3").And.Contain(l => l.StartsWith("* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent) MODSEQ (", StringComparison.Ordinal));

        // A reconnecting client resynchronises from its last HIGHESTMODSEQ.
        await using var c = await ImapTestServer.LoginAsync(server);
        await c.CommandAsync("e", "ENABLE QRESYNC");
        var resync = await c.CommandAsync("s", $"SELECT INBOX (QRESYNC ({validity} {highest} 1:3))");
        resync.Should().Contain("* VANISHED (EARLIER) 3").And.Contain(l => l.StartsWith("* 1 FETCH (UID 1 FLAGS (\\Flagged) MODSEQ", StringComparison.Ordinal));
        (await c.CommandAsync("f", $"UID FETCH 1:* (FLAGS) (CHANGEDSINCE {highest} VANISHED)")).Should().Contain("* VANISHED (EARLIER) 3");
    }

    [StoreFact]
    public async Task IDLE_reports_new_mail_and_flag_changes_from_other_sessions_within_a_second()
    {
        var world = await NewWorldAsync();
        await world.DeliverAsync("alice", MailWorld.Message(1));
        var (server, client) = await ConnectAsync(world);
        await using var _ = server;
        using var __ = client;
        await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var flagged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Inbox.CountChanged += (_, _) => arrived.TrySetResult();
        client.Inbox.MessageFlagsChanged += (_, e) => flagged.TrySetResult();

        using var done = new CancellationTokenSource();
        var idle = client.IdleAsync(done.Token);
        await world.DeliverAsync("alice", MailWorld.Message(2));
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(1));

        await using var plain = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var other = await ImapTestServer.LoginAsync(plain);
        await other.CommandAsync("s", "SELECT INBOX");
        await other.CommandAsync("f", "STORE 1 +FLAGS.SILENT (\\Flagged)");
        await flagged.Task.WaitAsync(TimeSpan.FromSeconds(1));

        await done.CancelAsync();
        await idle.WaitAsync(TimeSpan.FromSeconds(10));
        client.Inbox.Count.Should().Be(2);
    }

    [StoreFact]
    public async Task IDLE_ends_with_DONE_and_refuses_anything_else()
    {
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await ImapTestServer.LoginAsync(server);

        await client.SendAsync("a IDLE\r\n");
        (await client.ReadLineAsync()).Should().Be("+ idling");
        await client.SendAsync("done\r\n");
        (await client.ReadLineAsync()).Should().Be("a OK IDLE terminated");
        await client.SendAsync("b IDLE\r\n");
        (await client.ReadLineAsync()).Should().Be("+ idling");
        await client.SendAsync("c NOOP\r\n");
        (await client.ReadLineAsync()).Should().Be("b BAD Expected DONE");
        (await client.CommandAsync("d", "NOOP")).Should().Equal("d OK NOOP completed");
    }

    [StoreTheory]
    [InlineData(MailTlsMode.None, SecureSocketOptions.None)]
    [InlineData(MailTlsMode.Implicit, SecureSocketOptions.SslOnConnect)]
    public async Task COMPRESS_DEFLATE_carries_a_whole_session(MailTlsMode mode, SecureSocketOptions options)
    {
        var world = await NewWorldAsync();
        var stored = await world.DeliverAsync("alice", MailWorld.Message(1, string.Concat(Enumerable.Repeat("compressible text ", 2000))));
        await using var server = await ImapTestServer.StartAsync(world, mode, allowPlaintext: true);
        using var client = await ImapTestServer.ConnectMailKitAsync(server.Port, options);
        await client.AuthenticateAsync("alice", MailWorld.AlicePassword);
        client.Capabilities.Should().HaveFlag(ImapCapabilities.Compress);

        await client.CompressAsync();
        await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
        using var raw = await client.Inbox.GetStreamAsync(0, "");
        using var copy = new MemoryStream();
        await raw.CopyToAsync(copy);
        copy.ToArray().Should().Equal(stored);
        await client.Inbox.AppendAsync(new AppendRequest(ImapMailboxTests.Build("Compressed upload")));
        (await client.Inbox.SearchAsync(SearchQuery.SubjectContains("Compressed"))).Should().HaveCount(1);
        await client.DisconnectAsync(true);
    }

    [StoreFact]
    public async Task COMPRESS_is_refused_before_login_and_a_second_time()
    {
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await LineClient.ConnectAsync(server.EndPoint);
        await client.ReadLineAsync();
        (await client.CommandAsync("a", "COMPRESS DEFLATE")).Should().Equal("a BAD Log in first");
        (await client.CommandAsync("b", "LOGIN alice " + MailWorld.AlicePassword)).Single().Should().Contain("COMPRESS=DEFLATE");
        (await client.CommandAsync("c", "COMPRESS LZW")).Should().Equal("c BAD Unsupported compression mechanism");
    }

    [StoreFact]
    public async Task BINARY_decodes_base64_and_quoted_printable_parts_and_APPEND_takes_literal8()
    {
        // RFC 3516.
        var world = await NewWorldAsync();
        await world.DeliverAsync("alice",
            "Subject: Binary\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=x\n\n" +
            "--x\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\ncaf=C3=A9\n" +
            "--x\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\nQQBCDQpD\n" +
            "--x\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: x-uuencode\n\nbegin\n" +
            "--x--\n");
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await ImapTestServer.LoginAsync(server);
        await client.CommandAsync("s", "SELECT INBOX");

        (await client.CommandAsync("a", "FETCH 1 (BINARY.SIZE[1] BINARY.SIZE[2])")).Should().Equal("* 1 FETCH (BINARY.SIZE[1] 5 BINARY.SIZE[2] 6)", "a OK FETCH completed");
        (await client.CommandAsync("b", "FETCH 1 BINARY.PEEK[1]")).Should().Equal("* 1 FETCH (BINARY[1] {5}", "café)", "b OK FETCH completed");
        (await client.CommandAsync("c", "FETCH 1 BINARY.PEEK[2]<1.4>")).Should().Equal("* 1 FETCH (BINARY[2]<1> ~{4}", "\0B", ")", "c OK FETCH completed");
        (await client.CommandAsync("d", "FETCH 1 BINARY.PEEK[3]")).Should().Equal("* 1 FETCH (BINARY[3] NIL)", "d NO [UNKNOWN-CTE] Cannot decode the content-transfer-encoding");
        (await client.CommandAsync("e", "FETCH 1 FLAGS")).Should().Equal("* 1 FETCH (FLAGS (\\Recent))", "e OK FETCH completed");

        await client.SendAsync("f APPEND INBOX ~{7}\r\n");
        (await client.ReadLineAsync()).Should().Be("+ Ready for literal data");
        await client.SendRawAsync([(byte)'S', (byte)':', (byte)' ', 0, (byte)'\r', (byte)'\n', (byte)'x', (byte)'\r', (byte)'\n']);
        (await client.ReadUntilTaggedAsync("f")).Last().Should().MatchRegex(@"^f OK \[APPENDUID \d+ 2\] APPEND completed$");
    }

    [StoreFact]
    public async Task SORT_ESORT_and_THREAD_ORDEREDSUBJECT()
    {
        // RFC 5256, RFC 5267.
        var world = await NewWorldAsync();
        static string Mail(string from, string subject, int day, string body) =>
            $"From: {from}@example.com\nTo: alice@example.com\nSubject: {subject}\nDate: {day:00} Nov 2026 10:00:00 +0000\n\n{body}\n";
        await world.DeliverAsync("alice", Mail("carol", "Lunch", 3, "x"));
        await world.DeliverAsync("alice", Mail("bob", "Re: [team] lunch", 5, "longer body text"));
        await world.DeliverAsync("alice", Mail("dave", "Budget", 1, "yy"));
        await world.DeliverAsync("alice", Mail("adam", "Fwd: Lunch (fwd)", 4, "z"));
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await ImapTestServer.LoginAsync(server);
        await client.CommandAsync("s", "SELECT INBOX");

        (await client.CommandAsync("a", "SORT (SUBJECT DATE) UTF-8 ALL")).Should().Equal("* SORT 3 1 4 2", "a OK SORT completed");
        (await client.CommandAsync("b", "UID SORT (REVERSE DATE) UTF-8 ALL")).Should().Equal("* SORT 2 4 1 3", "b OK SORT completed");
        (await client.CommandAsync("c", "SORT (FROM) US-ASCII NOT FROM dave")).Should().Equal("* SORT 4 2 1", "c OK SORT completed");
        (await client.CommandAsync("d", "SORT (SIZE) KOI8-R ALL")).Should().Equal("d NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset");
        (await client.CommandAsync("e", "SORT RETURN (MIN MAX COUNT ALL) (DATE) UTF-8 ALL")).Should().Equal(
            "* ESEARCH (TAG \"e\") MIN 3 MAX 2 ALL 3,1,4,2 COUNT 4", "e OK SORT completed");
        (await client.CommandAsync("f", "THREAD ORDEREDSUBJECT UTF-8 ALL")).Should().Equal("* THREAD (3)(1 (4)(2))", "f OK THREAD completed");
        // No references at all: REFERENCES gathers by subject, and replies by subject go under the original.
        (await client.CommandAsync("g", "THREAD REFERENCES UTF-8 ALL")).Should().Equal("* THREAD (3)(1 (4)(2))", "g OK THREAD completed");

        using var mailkit = await ImapTestServer.ConnectMailKitAsync(server.Port, SecureSocketOptions.None);
        await mailkit.AuthenticateAsync("alice", MailWorld.AlicePassword);
        await mailkit.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var sorted = await mailkit.Inbox.SortAsync(SearchQuery.All, [OrderBy.Arrival]);
        sorted.Select(u => u.Id).Should().Equal(1u, 2u, 3u, 4u);
    }

    [StoreFact]
    public async Task THREAD_REFERENCES_over_a_socket_raw_and_with_MailKit()
    {
        // RFC 5256 §3 REFERENCES. UID 1 is expunged first, so UIDs are sequence numbers plus one.
        var world = await NewWorldAsync();
        static string Mail(string? id, string subject, int day, string extra = "") =>
            $"From: bob@example.com\nTo: alice@example.com\nSubject: {subject}\nDate: {day:00} Nov 2026 10:00:00 +0000\n" +
            (id is null ? "" : $"Message-ID: <{id}>\n") + extra + "\nbody\n";
        await world.DeliverAsync("alice", Mail("junk@x", "Junk", 1));
        await world.DeliverAsync("alice", Mail("root@x", "Plans", 1));
        await world.DeliverAsync("alice", Mail("r1@x", "Re: Plans", 2, "References: <root@x>\n"));
        await world.DeliverAsync("alice", Mail("budget@x", "Budget", 3));
        await world.DeliverAsync("alice", Mail("r2@x", "RE: plans", 4, "References: <\"root\"@x>\n <r1@x>\n"));
        await world.DeliverAsync("alice", Mail("r3@x", "Re: Plans", 5, "In-Reply-To: <root@x> (sent by bob)\n"));
        await world.DeliverAsync("alice", Mail("p1@x", "Re: Party", 6, "References: <party@x>\n"));
        await world.DeliverAsync("alice", Mail("p2@x", "Re: Party", 7, "References: <party@x>\n"));
        await world.DeliverAsync("alice", Mail(null, "Fwd: Budget", 8));
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using (var client = await ImapTestServer.LoginAsync(server))
        {
            (await client.CommandAsync("c", "CAPABILITY"))[0].Should().Contain(" THREAD=ORDEREDSUBJECT THREAD=REFERENCES ");
            await client.CommandAsync("s", "SELECT INBOX");
            (await client.CommandAsync("x", "STORE 1 +FLAGS.SILENT (\\Deleted)")).Should().Equal("x OK STORE completed");
            (await client.CommandAsync("y", "EXPUNGE")).Should().Equal("* 1 EXPUNGE", "y OK EXPUNGE completed");

            // Plans: 1 -> 2 -> 4 by References, 5 by In-Reply-To; Party: a dummy for the missing <party@x> with two
            // children; Budget: 8 joins 3 by subject as a forward.
            (await client.CommandAsync("a", "THREAD REFERENCES UTF-8 ALL")).Should().Equal("* THREAD (1 (2 4)(5))(3 8)((6)(7))", "a OK THREAD completed");
            (await client.CommandAsync("b", "UID THREAD REFERENCES UTF-8 ALL")).Should().Equal("* THREAD (2 (3 5)(6))(4 9)((7)(8))", "b OK THREAD completed");
            // A search that leaves out the root: its replies hang from a dummy.
            (await client.CommandAsync("d", "THREAD REFERENCES US-ASCII SUBJECT \"Re: Plans\"")).Should().Equal("* THREAD ((2 4)(5))", "d OK THREAD completed");
            (await client.CommandAsync("e", "UID THREAD REFERENCES UTF-8 UID 7:* SENTSINCE 7-Nov-2026")).Should().Equal("* THREAD (8)(9)", "e OK THREAD completed");
            (await client.CommandAsync("f", "THREAD REFERENCES KOI8-R ALL")).Should().Equal("f NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset");
        }

        using var mailkit = await ImapTestServer.ConnectMailKitAsync(server.Port, SecureSocketOptions.None);
        await mailkit.AuthenticateAsync("alice", MailWorld.AlicePassword);
        mailkit.ThreadingAlgorithms.Should().Contain(ThreadingAlgorithm.References);
        await mailkit.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var threads = await mailkit.Inbox.ThreadAsync(ThreadingAlgorithm.References, SearchQuery.All);
        string.Concat(threads.Select(Describe)).Should().Be("(2 (3 5)(6))(4 9)((7)(8))");
        var some = await mailkit.Inbox.ThreadAsync([new UniqueId(3), new UniqueId(5), new UniqueId(6)], ThreadingAlgorithm.References, SearchQuery.All);
        string.Concat(some.Select(Describe)).Should().Be("((3 5)(6))");
    }

    /// <summary>A MailKit thread tree in RFC 5256 §5 notation.</summary>
    private static string Describe(MessageThread thread)
    {
        var text = new StringBuilder("(");
        var node = thread;
        while (true)
        {
            if (node.UniqueId is { } uid)
            {
                text.Append(uid.Id);
            }

            if (node.Children.Count == 1)
            {
                text.Append(' ');
                node = node.Children[0];
                continue;
            }

            if (node.Children.Count > 1)
            {
                if (node.UniqueId is not null)
                {
                    text.Append(' ');
                }

                text.Append(string.Concat(node.Children.Select(Describe)));
            }

            return text.Append(')').ToString();
        }
    }
}
