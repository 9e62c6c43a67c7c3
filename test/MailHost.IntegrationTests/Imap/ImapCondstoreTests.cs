using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MailHost.Hosting;
using MailHost.Imap;
using MailHost.IntegrationTests.Infrastructure;
using MailKit;
using MailKit.Security;
using DeliveryTarget = MailHost.Storage.DeliveryTarget;
using IMailStore = MailHost.Storage.IMailStore;

namespace MailHost.IntegrationTests.Imap;

/// <summary>
/// CONDSTORE on a real socket (RFC 7162 §3.1): the first enabling command in the selected state answers
/// HIGHESTMODSEQ, every FETCH a flag change causes carries MODSEQ from then on (the session's own STOREs and other
/// sessions' changes, with UID under QRESYNC), and SEARCH MODSEQ with an entry name reports the MODSEQ of what it
/// returns. Each derived class runs it on one store.
/// </summary>
public abstract class ImapCondstoreTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private IMailStore? _store;
    private TestMailServer<ImapConnectionHandler>? _server;

    private IMailStore Store => _store ?? throw new InvalidOperationException("Not initialised.");

    private TestMailServer<ImapConnectionHandler> Server => _server ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>A new, empty store.</summary>
    protected abstract Task<IMailStore> OpenStoreAsync();

    public async Task InitializeAsync()
    {
        _store = await OpenStoreAsync().WaitAsync(Timeout);
        _server = await ImapTestServer.StartAsync(new MailWorld(), MailTlsMode.None, allowPlaintext: true, store: _store);
    }

    public virtual async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [Fact]
    public async Task After_FETCH_MODSEQ_a_STORE_answers_with_MODSEQ()
    {
        await DeliverAsync(2);
        await using var client = await ImapTestServer.LoginAsync(Server);
        var highest = Number(await client.CommandAsync("s", "SELECT INBOX"), @"^\* OK \[HIGHESTMODSEQ (\d+)\] Highest$");

        var fetched = await client.CommandAsync("a", "FETCH 1 MODSEQ");
        fetched.Should().HaveCount(3);
        fetched[0].Should().Be($"* OK [HIGHESTMODSEQ {highest}] Highest");
        var before = Number(fetched, @"^\* 1 FETCH \(MODSEQ \((\d+)\)\)$");

        var stored = await client.CommandAsync("b", "STORE 1 +FLAGS \\Seen");
        Number(stored, @"^\* 1 FETCH \(FLAGS \(\\Seen\) MODSEQ \((\d+)\)\)$").Should().BeGreaterThan(before);
        stored[^1].Should().Be("b OK STORE completed");
        (await client.CommandAsync("c", "FETCH 2 MODSEQ")).Should().HaveCount(2, "HIGHESTMODSEQ comes with the first enabling command only");
    }

    [Fact]
    public async Task Another_sessions_STORE_reaches_a_CONDSTORE_session_with_MODSEQ_on_NOOP_and_in_IDLE()
    {
        await DeliverAsync(2);
        await using var watcher = await ImapTestServer.LoginAsync(Server);
        await using var other = await ImapTestServer.LoginAsync(Server);
        await watcher.CommandAsync("s", "SELECT INBOX");
        await watcher.CommandAsync("m", "FETCH 1:2 MODSEQ");
        await other.CommandAsync("s", "SELECT INBOX (CONDSTORE)");

        var modSeq = Number(await other.CommandAsync("a", "STORE 1 +FLAGS (\\Seen)"), @"^\* 1 FETCH \(FLAGS \(\\Seen\) MODSEQ \((\d+)\)\)$");
        (await watcher.CommandAsync("n", "NOOP")).Should().Equal($"* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ ({modSeq}))", "n OK NOOP completed");

        await watcher.SendAsync("i IDLE\r\n");
        (await watcher.ReadLineAsync()).Should().StartWith("+ ");
        var flagged = Number(await other.CommandAsync("c", "STORE 2 +FLAGS (\\Flagged)"), @"^\* 2 FETCH \(FLAGS \(\\Flagged\) MODSEQ \((\d+)\)\)$");
        (await watcher.ReadLineAsync()).Should().Be($"* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ ({flagged}))");
        await watcher.SendAsync("DONE\r\n");
        (await watcher.ReadUntilTaggedAsync("i")).Should().Equal("i OK IDLE terminated");
    }

    [Fact]
    public async Task With_QRESYNC_flag_changes_carry_UID_and_MODSEQ()
    {
        await DeliverAsync(2);
        await using var client = await ImapTestServer.LoginAsync(Server);
        await using var other = await ImapTestServer.LoginAsync(Server);
        (await client.CommandAsync("e", "ENABLE QRESYNC")).Should().Equal("* ENABLED QRESYNC", "e OK ENABLE completed");
        (await client.CommandAsync("s", "SELECT INBOX")).Should().ContainSingle(l => l.StartsWith("* OK [HIGHESTMODSEQ ", StringComparison.Ordinal));
        await other.CommandAsync("s", "SELECT INBOX");

        var own = Number(await client.CommandAsync("a", "STORE 1 +FLAGS (\\Answered)"), @"^\* 1 FETCH \(UID 1 FLAGS \(\\Answered\) MODSEQ \((\d+)\)\)$");
        (await client.CommandAsync("b", "STORE 1 +FLAGS.SILENT (\\Answered)")).Should().Equal(["b OK STORE completed"], "nothing changed, so nothing is reported");
        await other.CommandAsync("c", "STORE 2 +FLAGS.SILENT (\\Draft)");
        var noop = await client.CommandAsync("n", "NOOP");
        Number(noop, @"^\* 2 FETCH \(UID 2 FLAGS \(\\Draft\) MODSEQ \((\d+)\)\)$").Should().BeGreaterThan(own);
        noop.Should().HaveCount(2);
    }

    [Fact]
    public async Task ESEARCH_with_a_MODSEQ_entry_returns_every_message_from_the_value_up()
    {
        await DeliverAsync(4);
        await using var client = await ImapTestServer.LoginAsync(Server);
        await client.CommandAsync("s", "SELECT INBOX");
        (await client.CommandAsync("e", "FETCH 1 MODSEQ"))[0].Should().StartWith("* OK [HIGHESTMODSEQ ");

        // Changed in the order 1, 3, 2, 4: message 3's mod-sequence is below message 2's.
        var m = new Dictionary<int, ulong>();
        foreach (var n in new[] { 1, 3, 2, 4 })
        {
            m[n] = Number(await client.CommandAsync("t" + n, $"STORE {n} +FLAGS \\Seen"), $@"^\* {n} FETCH \(FLAGS \(\\Seen\) MODSEQ \((\d+)\)\)$");
        }

        const string Seen = "MODSEQ \"/flags/\\\\seen\" all";
        (await client.CommandAsync("a", $"SEARCH RETURN (MAX) 1:3 {Seen} 1")).Should().Equal($"* ESEARCH (TAG \"a\") MAX 3 MODSEQ {m[3]}", "a OK SEARCH completed");
        (await client.CommandAsync("b", $"SEARCH RETURN (ALL) 2:3 {Seen} {m[3]}")).Should().Equal($"* ESEARCH (TAG \"b\") ALL 2:3 MODSEQ {m[2]}", "b OK SEARCH completed");
        (await client.CommandAsync("c", $"SEARCH RETURN (ALL) 2:3 {Seen} {m[4]}")).Should().Equal("* ESEARCH (TAG \"c\")", "c OK SEARCH completed");
        (await client.CommandAsync("d", $"SEARCH {Seen} {m[2]}")).Should().Equal($"* SEARCH 2 4 (MODSEQ {m[4]})", "d OK SEARCH completed");
        (await client.CommandAsync("f", "SEARCH MODSEQ \"/flags/\\\\seen\" everyone 1")).Should().Equal("f BAD Invalid MODSEQ entry type: expected priv, shared or all");
    }

    [Fact]
    public async Task MailKit_sees_the_MODSEQ_of_another_sessions_flag_change()
    {
        await DeliverAsync(1);
        using var client = await ImapTestServer.ConnectMailKitAsync(Server.Port, SecureSocketOptions.None);
        await client.AuthenticateAsync("alice", MailWorld.AlicePassword);
        client.Capabilities.Should().HaveFlag(MailKit.Net.Imap.ImapCapabilities.CondStore);
        await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
        var changed = new TaskCompletionSource<MessageFlagsChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Inbox.MessageFlagsChanged += (_, e) => changed.TrySetResult(e);

        await using var other = await ImapTestServer.LoginAsync(Server);
        await other.CommandAsync("s", "SELECT INBOX (CONDSTORE)");
        var modSeq = Number(await other.CommandAsync("a", "STORE 1 +FLAGS (\\Flagged)"), @"^\* 1 FETCH \(FLAGS \(\\Flagged\) MODSEQ \((\d+)\)\)$");

        await client.NoOpAsync();
        var e = await changed.Task.WaitAsync(Timeout);
        e.Flags.Should().Be(MessageFlags.Flagged);
        e.ModSeq.Should().Be(modSeq);
        await client.DisconnectAsync(true);
    }

    private async Task DeliverAsync(int count)
    {
        for (var n = 1; n <= count; n++)
        {
            var text = $"From: bob@example.com\r\nTo: alice@example.com\r\nSubject: Message {n}\r\nMessage-ID: <m{n}@example.com>\r\n\r\nHello {n}\r\n";
            using var stream = new MemoryStream(Encoding.ASCII.GetBytes(text));
            (await Store.DeliverAsync(stream, [new DeliveryTarget("alice")], CancellationToken.None).AsTask().WaitAsync(Timeout)).IsSuccess.Should().BeTrue();
        }

        // Another session selects first, so none of them is \Recent in the sessions under test (RFC 3501 §2.3.2).
        await using var first = await ImapTestServer.LoginAsync(Server);
        (await first.CommandAsync("s", "SELECT INBOX"))[^1].Should().StartWith("s OK");
    }

    /// <summary>The number the pattern's group captures from the one line it matches.</summary>
    private static ulong Number(List<string> lines, string pattern)
    {
        var regex = new Regex(pattern);
        var line = lines.Should().ContainSingle(l => regex.IsMatch(l)).Subject;
        return ulong.Parse(regex.Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
