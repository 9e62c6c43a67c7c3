using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;
using MailHost.TestSupport;

namespace MailHost.IntegrationTests.Imap;

/// <summary>The authenticated state: mailboxes, LIST and its extensions, STATUS, APPEND and quota.</summary>
public abstract class ImapMailboxTests(TestStoreKind kind) : MailWorldTests(kind)
{
    private static async Task<(TestMailServer<MailHost.Imap.ImapConnectionHandler> Server, ImapClient Client)> ConnectAsync(MailWorld world)
    {
        var server = await ImapTestServer.StartAsync(world, MailTlsMode.Implicit);
        var client = await ImapTestServer.ConnectMailKitAsync(server.Port, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("alice", MailWorld.AlicePassword);
        return (server, client);
    }

    [StoreFact]
    public async Task Create_rename_subscribe_and_delete_through_MailKit()
    {
        var world = await NewWorldAsync();
        var (server, client) = await ConnectAsync(world);
        await using var _ = server;
        using var __ = client;

        var personal = client.GetFolder(client.PersonalNamespaces[0]);
        var work = (await personal.CreateAsync("Work", isMessageFolder: true))!;
        var projects = (await work.CreateAsync("Projects", isMessageFolder: true))!;
        await projects.SubscribeAsync();
        (await personal.GetSubfoldersAsync(false)).Select(f => f.FullName).Should().Contain(["INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive", "Work"]);
        (await work.GetSubfoldersAsync(false)).Select(f => f.FullName).Should().Equal("Work/Projects");

        await projects.RenameAsync(personal, "Current");
        (await personal.GetSubfoldersAsync(true)).Select(f => f.FullName).Should().Contain("Current").And.NotContain("Work/Projects");
        var subscribed = await client.GetFoldersAsync(client.PersonalNamespaces[0], StatusItems.None, subscribedOnly: true);
        subscribed.Select(f => f.FullName).Should().Contain("Current");

        await work.DeleteAsync();
        (await personal.GetSubfoldersAsync(false)).Select(f => f.FullName).Should().NotContain("Work");
        var failure = async () => await work.OpenAsync(FolderAccess.ReadOnly);
        await failure.Should().ThrowAsync<ImapCommandException>();
    }

    [StoreFact]
    public async Task Special_use_mailboxes_are_found_and_created()
    {
        var world = await NewWorldAsync();
        var (server, client) = await ConnectAsync(world);
        await using var _ = server;
        using var __ = client;

        client.Capabilities.Should().HaveFlag(ImapCapabilities.SpecialUse).And.HaveFlag(ImapCapabilities.CreateSpecialUse);
        client.GetFolder(SpecialFolder.Sent)!.FullName.Should().Be("Sent");
        client.GetFolder(SpecialFolder.Trash)!.FullName.Should().Be("Trash");
        var personal = client.GetFolder(client.PersonalNamespaces[0]);
        var created = await personal.CreateAsync("Everything", [SpecialFolder.All]);
        created!.Attributes.Should().HaveFlag(FolderAttributes.All);
    }

    [StoreFact]
    public async Task STATUS_LIST_STATUS_and_quota_report_counts()
    {
        var world = await NewWorldAsync();
        await world.DeliverAsync("alice", MailWorld.Message(1));
        await world.DeliverAsync("alice", MailWorld.Message(2, new string('x', 3000)));
        await world.MailStore.SetQuotaLimitsAsync("alice", new MailHost.Storage.QuotaLimits(10 * 1024 * 1024, 1000), default);
        var (server, client) = await ConnectAsync(world);
        await using var _ = server;
        using var __ = client;

        await client.Inbox.StatusAsync(StatusItems.Count | StatusItems.Unread | StatusItems.UidNext | StatusItems.UidValidity | StatusItems.Size | StatusItems.HighestModSeq | StatusItems.AppendLimit);
        client.Inbox.Count.Should().Be(2);
        client.Inbox.Unread.Should().Be(2);
        client.Inbox.UidNext!.Value.Id.Should().Be(3);
        client.Inbox.Size.Should().BeGreaterThan(3000);
        client.Inbox.HighestModSeq.Should().BeGreaterThan(0);
        client.Inbox.AppendLimit.Should().Be(50u * 1024 * 1024);

        var folders = await client.GetFoldersAsync(client.PersonalNamespaces[0], StatusItems.Count | StatusItems.Unread);
        folders.Single(f => f.FullName == "INBOX").Count.Should().Be(2);
        folders.Single(f => f.FullName == "Sent").Count.Should().Be(0);

        client.Capabilities.Should().HaveFlag(ImapCapabilities.Quota);
        var quota = await client.Inbox.GetQuotaAsync();
        quota.QuotaRoot!.FullName.Should().BeEmpty();
        quota.StorageLimit.Should().Be(10 * 1024);
        quota.CurrentStorageSize.Should().BeInRange(3, 5);
        quota.MessageLimit.Should().Be(1000);
        quota.CurrentMessageCount.Should().Be(2);
    }

    [StoreFact]
    public async Task APPEND_and_MULTIAPPEND_answer_APPENDUID_and_keep_flags_and_dates()
    {
        var world = await NewWorldAsync();
        var (server, client) = await ConnectAsync(world);
        await using var _ = server;
        using var __ = client;

        var date = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.FromHours(2));
        var uid = await client.Inbox.AppendAsync(new AppendRequest(Build("One"), MessageFlags.Seen | MessageFlags.Flagged) { InternalDate = date, Keywords = new HashSet<string> { "$Work" } });
        uid!.Value.Id.Should().Be(1);
        var uids = await client.Inbox.AppendAsync([new AppendRequest(Build("Two")), new AppendRequest(Build("Three"), MessageFlags.Draft)]);
        uids.Select(u => u.Id).Should().Equal(2u, 3u);

        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var summaries = await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.Flags | MessageSummaryItems.InternalDate | MessageSummaryItems.Envelope | MessageSummaryItems.UniqueId);
        summaries.Should().HaveCount(3);
        summaries[0].Flags.Should().Be(MessageFlags.Seen | MessageFlags.Flagged | MessageFlags.Recent);
        summaries[0].Keywords.Should().Contain("$Work");
        summaries[0].InternalDate.Should().Be(date);
        summaries[2].Flags.Should().Be(MessageFlags.Draft | MessageFlags.Recent);
        summaries.Select(s => s.Envelope!.Subject).Should().Equal("One", "Two", "Three");
    }

    [StoreFact]
    public async Task APPEND_to_a_missing_mailbox_says_TRYCREATE_and_an_over_limit_message_TOOBIG_before_any_continuation()
    {
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true, imap: o => o.MaxAppendSize = 1000);
        await using var client = await ImapTestServer.LoginAsync(server);

        (await client.CommandAsync("a", "APPEND Nowhere {5}")).Single().Should().StartWith("a NO [TRYCREATE]");
        (await client.CommandAsync("b", "APPEND INBOX {5000}")).Should().Equal("b NO [TOOBIG] Message exceeds APPENDLIMIT");
        await client.SendAsync("c APPEND INBOX (\\Seen) {5}\r\n");
        (await client.ReadLineAsync()).Should().Be("+ Ready for literal data");
        await client.SendAsync("Hello\r\n");
        (await client.ReadLineAsync()).Should().MatchRegex(@"^c OK \[APPENDUID \d+ 1\] APPEND completed$");
    }

    [StoreFact]
    public async Task LIST_answers_the_RFC_forms_and_matches_patterns_in_linear_time()
    {
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await ImapTestServer.LoginAsync(server);
        (await client.CommandAsync("a", "CREATE " + new string('a', 200))).Last().Should().EndWith("] CREATE completed").And.StartWith("a OK [MAILBOXID");
        (await client.CommandAsync("b", "CREATE Work/Deep/Er/")).Last().Should().EndWith("] CREATE completed").And.StartWith("b OK [MAILBOXID");

        (await client.CommandAsync("c", "LIST \"\" \"\"")).Should().Equal("* LIST (\\Noselect) \"/\" \"\"", "c OK LIST completed");
        (await client.CommandAsync("d", "LIST \"\" %")).Should().Contain("* LIST (\\HasChildren) \"/\" Work").And.Contain("* LIST (\\HasNoChildren \\Sent) \"/\" Sent")
            .And.NotContain(l => l.Contains("Work/Deep", StringComparison.Ordinal));
        (await client.CommandAsync("e", "LIST Work/ *")).Should().Equal("* LIST (\\HasChildren) \"/\" Work/Deep", "* LIST (\\HasNoChildren) \"/\" Work/Deep/Er", "e OK LIST completed");
        (await client.CommandAsync("f", "LIST \"\" inbox")).Should().Equal("* LIST (\\HasNoChildren) \"/\" INBOX", "f OK LIST completed");
        (await client.CommandAsync("g", "LIST \"\" \"(a+)+z\"")).Should().Equal("g OK LIST completed");
        (await client.CommandAsync("h", "LIST (SPECIAL-USE) \"\" * RETURN (SUBSCRIBED)")).Should().HaveCount(6)
            .And.Contain("* LIST (\\HasNoChildren \\Trash \\Subscribed) \"/\" Trash");
        (await client.CommandAsync("i", "LSUB \"\" *")).Should().Contain("* LSUB () \"/\" INBOX");
        (await client.CommandAsync("j", "NAMESPACE")).Should().Equal("* NAMESPACE ((\"\" \"/\")) NIL NIL", "j OK NAMESPACE completed");

        // SECURITY C6 / T13: many wildcards against a long name are answered (the command's timeout bounds the wait);
        // that the matcher's work is linear is counted in ImapListMatcherTests, and its speed measured in
        // benchmarks/ (ImapListMatcherBenchmarks), not timed here on a shared machine.
        (await client.CommandAsync("k", "LIST \"\" \"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b\"")).Should().Equal("k OK LIST completed");
        (await client.CommandAsync("l", "LIST \"\" \"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*\"")).Should().Equal("* LIST (\\HasNoChildren) \"/\" " + new string('a', 200), "l OK LIST completed");
    }

    [StoreFact]
    public async Task Mailbox_names_are_validated_as_names_and_sent_back_safely()
    {
        // SECURITY E2 / T14 and E3 / T15.
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await ImapTestServer.LoginAsync(server);

        foreach (var bad in new[] { "../../x", "..", "a/../../b", "/etc/x", "a//b", "\"a*b\"" })
        {
            (await client.CommandAsync("a", "CREATE " + bad)).Single().Should().StartWith("a NO [CANNOT]", bad);
        }

        // RFC 3501 §5.1.3: not modified UTF-7, but a valid astring: a name no mailbox can have, not a syntax error.
        (await client.CommandAsync("b", "CREATE &Jjo!")).Single().Should().StartWith("b NO [CANNOT]");
        (await client.CommandAsync("c", "CREATE \"quote\\\"back\\\\slash\"")).Last().Should().EndWith("] CREATE completed").And.StartWith("c OK [MAILBOXID");
        (await client.CommandAsync("d", "CREATE ~peter/mail/&U,BTFw-/&ZeVnLIqe-")).Last().Should().EndWith("] CREATE completed").And.StartWith("d OK [MAILBOXID");
        var list = await client.CommandAsync("e", "LIST \"\" *");
        list.Should().Contain("* LIST (\\HasNoChildren) \"/\" \"quote\\\"back\\\\slash\"");
        list.Should().Contain("* LIST (\\HasNoChildren) \"/\" ~peter/mail/&U,BTFw-/&ZeVnLIqe-");

        // A second, strict client sees the same names decoded.
        using var mailkit = await ImapTestServer.ConnectMailKitAsync(server.Port, SecureSocketOptions.None);
        await mailkit.AuthenticateAsync("alice", MailWorld.AlicePassword);
        var names = (await mailkit.GetFoldersAsync(mailkit.PersonalNamespaces[0])).Select(f => f.FullName).ToList();
        names.Should().Contain("quote\"back\\slash").And.Contain("~peter/mail/台北/日本語");
    }

    [StoreFact]
    public async Task SELECT_reports_the_mailbox_and_CLOSE_expunges_silently()
    {
        var world = await NewWorldAsync();
        await world.DeliverAsync("alice", MailWorld.Message(1));
        await world.DeliverAsync("alice", MailWorld.Message(2));
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await ImapTestServer.LoginAsync(server);

        var select = await client.CommandAsync("a", "SELECT INBOX");
        select.Should().Contain("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)")
            .And.Contain("* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted")
            .And.Contain("* 2 EXISTS").And.Contain("* 2 RECENT").And.Contain("* OK [UNSEEN 1] First unseen")
            .And.Contain(l => l.StartsWith("* OK [UIDVALIDITY ", StringComparison.Ordinal))
            .And.Contain("* OK [UIDNEXT 3] Predicted next UID")
            .And.Contain(l => l.StartsWith("* OK [HIGHESTMODSEQ ", StringComparison.Ordinal));
        select[^1].Should().Be("a OK [READ-WRITE] SELECT completed");

        (await client.CommandAsync("b", "STORE 1 +FLAGS.SILENT (\\Deleted)")).Should().Equal("b OK STORE completed");
        (await client.CommandAsync("c", "CLOSE")).Should().Equal("c OK CLOSE completed");
        (await client.CommandAsync("d", "FETCH 1 FLAGS")).Should().Equal("d BAD No mailbox selected");
        (await client.CommandAsync("e", "EXAMINE INBOX")).Should().Contain("* 1 EXISTS").And.Contain("e OK [READ-ONLY] EXAMINE completed")
            .And.Contain("* OK [PERMANENTFLAGS ()] Flags permitted");
        (await client.CommandAsync("f", "SELECT Nowhere")).Should().Equal("* OK [CLOSED] Previous mailbox closed", "f NO [NONEXISTENT] No such mailbox.");
    }

    [StoreFact]
    public async Task ENABLE_IMAP4rev2_switches_to_rev2_responses()
    {
        var world = await NewWorldAsync();
        await world.DeliverAsync("alice", MailWorld.Message(1));
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await ImapTestServer.LoginAsync(server);

        (await client.CommandAsync("a", "ENABLE IMAP4rev2 X-UNKNOWN")).Should().Equal("* ENABLED IMAP4rev2", "a OK ENABLE completed");
        var select = await client.CommandAsync("b", "SELECT INBOX");
        select.Should().NotContain(l => l.EndsWith("RECENT", StringComparison.Ordinal)).And.Contain("* LIST () \"/\" INBOX");
        (await client.CommandAsync("c", "SEARCH ALL")).Should().Equal("* ESEARCH (TAG \"c\") ALL 1", "c OK SEARCH completed");
        (await client.CommandAsync("d", "ENABLE CONDSTORE")).Should().Equal("d BAD Command not allowed in this state");
    }

    [StoreFact]
    public async Task The_store_serves_a_whole_session()
    {
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.Implicit);
        using var client = await ImapTestServer.ConnectMailKitAsync(server.Port, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync("alice", MailWorld.AlicePassword);

        var uid = await client.Inbox.AppendAsync(new AppendRequest(Build("Stored")));
        await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
        var message = await client.Inbox.GetMessageAsync(uid!.Value);
        message.Subject.Should().Be("Stored");
        await client.Inbox.AddFlagsAsync(uid.Value, MessageFlags.Deleted, true);
        await client.Inbox.ExpungeAsync();
        client.Inbox.Count.Should().Be(0);
        await client.DisconnectAsync(true);
    }

    [StoreFact]
    public async Task OBJECTID_mailbox_ids_survive_RENAME()
    {
        // RFC 8474.
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await ImapTestServer.LoginAsync(server);

        var created = (await client.CommandAsync("a", "CREATE Projects")).Single();
        created.Should().MatchRegex(@"^a OK \[MAILBOXID \(F\d+\)\] CREATE completed$");
        var id = created.Split('(', ')')[1];
        await client.CommandAsync("b", "RENAME Projects Old");
        (await client.CommandAsync("c", "STATUS Old (MESSAGES MAILBOXID)")).Should().Equal($"* STATUS Old (MESSAGES 0 MAILBOXID ({id}))", "c OK STATUS completed");
        (await client.CommandAsync("d", "SELECT Old")).Should().Contain($"* OK [MAILBOXID ({id})] Mailbox id");
        (await client.CommandAsync("e", "STATUS INBOX (MAILBOXID)")).First().Should().NotContain(id);

        await client.CommandAsync("f", "APPEND Old {12+}\r\nSubject: x\r\n");
        var fetched = (await client.CommandAsync("g", "UID FETCH 1 (EMAILID THREADID)")).First();
        fetched.Should().MatchRegex(@"^\* 1 FETCH \(EMAILID \(M[a-z2-7]+\) THREADID \(T[a-z2-7]+\) UID 1\)$");
        var emailId = fetched.Split('(', ')')[2];
        (await client.CommandAsync("h", "SEARCH EMAILID " + emailId)).Should().Equal("* SEARCH 1", "h OK SEARCH completed");
    }

    [StoreFact]
    public async Task UTF8_ACCEPT_switches_mailbox_names_to_UTF8_and_takes_UTF8_APPEND()
    {
        // RFC 6855.
        var world = await NewWorldAsync();
        await using var server = await ImapTestServer.StartAsync(world, MailTlsMode.None, allowPlaintext: true);
        await using var client = await ImapTestServer.LoginAsync(server);
        (await client.CommandAsync("a", "CREATE ~peter/&U,BTFw-")).Last().Should().StartWith("a OK");

        (await client.CommandAsync("b", "ENABLE UTF8=ACCEPT")).Should().Equal("* ENABLED UTF8=ACCEPT", "b OK ENABLE completed");
        (await client.CommandAsync("c", "LIST \"\" ~peter/*")).Should().Equal("* LIST (\\HasNoChildren) \"/\" \"~peter/台北\"", "c OK LIST completed");
        (await client.CommandAsync("d", "CREATE \"日本語\"")).Last().Should().StartWith("d OK");
        (await client.CommandAsync("e", "STATUS \"日本語\" (MESSAGES)")).Should().Equal("* STATUS \"日本語\" (MESSAGES 0)", "e OK STATUS completed");

        var message = "Subject: café\r\n\r\nhé\r\n";
        var bytes = System.Text.Encoding.UTF8.GetByteCount(message);
        var append = await client.CommandAsync("f", $"APPEND \"日本語\" UTF8 (~{{{bytes}+}}\r\n{message})");
        append.Single().Should().MatchRegex(@"^f OK \[APPENDUID \d+ 1\] APPEND completed$");
    }

    internal static MimeMessage Build(string subject, string body = "Body text")
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Bob", "bob@example.com"));
        message.To.Add(new MailboxAddress("Alice", "alice@example.com"));
        message.Subject = subject;
        message.Date = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }
}
