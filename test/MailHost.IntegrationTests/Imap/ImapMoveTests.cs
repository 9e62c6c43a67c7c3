using System.Globalization;
using System.Text.RegularExpressions;

namespace MailHost.IntegrationTests.Imap;

/// <summary>
/// MOVE and COPY into the selected mailbox (RFC 6851 §3.3, §4.3; RFC 4315 COPYUID): the message gets a new UID in the
/// same mailbox, and the session hears of the expunge and the new message at once.
/// </summary>
public abstract class ImapMoveTests(bool sqlite) : ImapStoreSessionTests(sqlite)
{
    [Fact]
    public async Task MOVE_into_the_selected_mailbox_gives_the_message_a_new_uid_with_its_flags()
    {
        await DeliverAsync(1);
        await DeliverAsync(2);
        await using var server = await StartServerAsync();
        await using var client = await ImapTestServer.LoginAsync(server);
        await using var watcher = await ImapTestServer.LoginAsync(server);

        var select = await SendAsync(client, "a", "SELECT INBOX");
        var uidValidity = Regex.Match(string.Join("\n", select), @"\[UIDVALIDITY (\d+)\]").Groups[1].Value;
        uidValidity.Should().NotBeEmpty();
        await SendAsync(watcher, "w1", "SELECT INBOX");
        await SendAsync(client, "b", "STORE 1 +FLAGS.SILENT (\\Flagged $Work)");
        var modSeq = ulong.Parse(Regex.Match((await SendAsync(client, "c", "FETCH 1 (MODSEQ)")).Single(l => l.StartsWith("* 1 FETCH", StringComparison.Ordinal)), @"MODSEQ \((\d+)\)").Groups[1].Value, CultureInfo.InvariantCulture);

        // RFC 6851 §4.3: COPYUID in an untagged OK before the expunge; then the copy, announced like any arrival.
        var moved = await SendAsync(client, "d", "MOVE 1 INBOX");
        moved.Where(l => !l.EndsWith(" RECENT", StringComparison.Ordinal)).Should().Equal(
            $"* OK [COPYUID {uidValidity} 1 3] Moved",
            "* 1 EXPUNGE",
            "* 2 EXISTS",
            "d OK MOVE completed");

        var fetched = (await SendAsync(client, "e", "FETCH 1:2 (UID FLAGS MODSEQ)")).Where(l => l.StartsWith("* ", StringComparison.Ordinal)).ToList();
        fetched.Should().HaveCount(2);
        fetched[0].Should().StartWith("* 1 FETCH (UID 2 ");
        var copy = Regex.Match(fetched[1], @"^\* 2 FETCH \(UID 3 FLAGS \(([^)]*)\) MODSEQ \((\d+)\)\)$");
        copy.Success.Should().BeTrue(fetched[1]);
        copy.Groups[1].Value.Split(' ').Should().Contain(["\\Flagged", "$Work"]).And.NotContain("\\Deleted");
        ulong.Parse(copy.Groups[2].Value, CultureInfo.InvariantCulture).Should().BeGreaterThan(modSeq, "the copy is a new message with a new MODSEQ");

        // Another session sees the same: the old number goes, a new message arrives.
        var noop = await SendAsync(watcher, "w2", "NOOP");
        noop.Should().ContainInOrder("* 1 EXPUNGE", "* 2 EXISTS").And.EndWith("w2 OK NOOP completed");
        (await SendAsync(client, "f", "UID SEARCH ALL")).Should().Contain("* SEARCH 2 3");
    }

    [Fact]
    public async Task UID_MOVE_into_the_selected_mailbox_reports_VANISHED_under_QRESYNC()
    {
        await DeliverAsync(1);
        await DeliverAsync(2);
        await using var server = await StartServerAsync();
        await using var client = await ImapTestServer.LoginAsync(server);

        await SendAsync(client, "a", "ENABLE QRESYNC");
        var select = await SendAsync(client, "b", "SELECT INBOX");
        var uidValidity = Regex.Match(string.Join("\n", select), @"\[UIDVALIDITY (\d+)\]").Groups[1].Value;
        var moved = await SendAsync(client, "c", "UID MOVE 2 INBOX");
        moved.Where(l => !l.EndsWith(" RECENT", StringComparison.Ordinal)).Should().Equal(
            $"* OK [COPYUID {uidValidity} 2 3] Moved",
            "* VANISHED 2",
            "* 2 EXISTS",
            "c OK MOVE completed");
        (await SendAsync(client, "d", "UID FETCH 1:* (UID)")).Where(l => l.StartsWith("* ", StringComparison.Ordinal))
            .Should().Equal("* 1 FETCH (UID 1)", "* 2 FETCH (UID 3)");
    }

    [Fact]
    public async Task COPY_into_the_selected_mailbox_announces_the_new_message()
    {
        await DeliverAsync(1);
        await using var server = await StartServerAsync();
        await using var client = await ImapTestServer.LoginAsync(server);

        var select = await SendAsync(client, "a", "SELECT INBOX");
        var uidValidity = Regex.Match(string.Join("\n", select), @"\[UIDVALIDITY (\d+)\]").Groups[1].Value;
        var copied = await SendAsync(client, "b", "COPY 1 INBOX");
        copied.Where(l => !l.EndsWith(" RECENT", StringComparison.Ordinal)).Should().Equal(
            "* 2 EXISTS",
            $"b OK [COPYUID {uidValidity} 1 2] COPY completed");
        (await SendAsync(client, "c", "FETCH 2 (UID)")).Should().Equal("* 2 FETCH (UID 2)", "c OK FETCH completed");
    }
}
