using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MailHost.IntegrationTests.Infrastructure;

namespace MailHost.IntegrationTests.Imap;

/// <summary>
/// A session keeps reading the messages another session expunged until it may be told (RFC 2180 §4.1.1; RFC 9051
/// §7.5.1: no EXPUNGE during FETCH, STORE or SEARCH): whole data and a tagged OK, never empty or made-up content.
/// </summary>
public abstract class ImapConcurrentExpungeTests(bool sqlite) : ImapStoreSessionTests(sqlite)
{
    private const string HeaderFields = "BODY[HEADER.FIELDS (TO MESSAGE-ID)]";

    [Fact]
    public async Task FETCH_answers_a_message_another_session_expunged_in_full_until_NOOP_announces_the_expunge()
    {
        var first = await DeliverAsync(1);
        var second = await DeliverAsync(2);
        await using var server = await StartServerAsync();
        await using var reader = await ImapTestServer.LoginAsync(server);
        await using var expunger = await ImapTestServer.LoginAsync(server);
        await SendAsync(reader, "a", "SELECT INBOX");
        await SendAsync(expunger, "x1", "SELECT INBOX");

        await SendAsync(expunger, "x2", "STORE 1 +FLAGS.SILENT (\\Deleted)");
        (await SendAsync(expunger, "x3", "EXPUNGE")).Should().Equal("* 1 EXPUNGE", "x3 OK EXPUNGE completed");

        var fetched = await SendAsync(reader, "b", $"FETCH 1 (BODY[] {HeaderFields})");
        fetched.Should().HaveCount(2).And.EndWith("b OK FETCH completed");
        LiteralOf(fetched[0], "BODY[]").Should().Be(Encoding.ASCII.GetString(first));
        LiteralOf(fetched[0], HeaderFields).Should().Be("To: alice@example.com\r\nMessage-ID: <m1@example.com>\r\n\r\n");

        // Neither STORE nor a second FETCH may announce the expunge, so the message stays readable throughout.
        (await SendAsync(reader, "c", "STORE 1 +FLAGS (\\Seen)")).Should().EndWith("c OK STORE completed").And.NotContain(l => l.Contains("EXPUNGE"));
        var again = await SendAsync(reader, "d", $"FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (TO MESSAGE-ID TO)])");
        again.Should().HaveCount(2).And.EndWith("d OK FETCH completed");
        again[0].Should().Contain("\\Deleted");
        LiteralOf(again[0], "BODY[HEADER.FIELDS (TO MESSAGE-ID TO)]").Should().Be("To: alice@example.com\r\nMessage-ID: <m1@example.com>\r\n\r\n");

        (await SendAsync(reader, "e", "NOOP")).Should().Equal("* 1 EXPUNGE", "e OK NOOP completed");
        var now = await SendAsync(reader, "f", "FETCH 1 (UID BODY.PEEK[])");
        now.Should().HaveCount(2).And.EndWith("f OK FETCH completed");
        LiteralOf(now[0], "BODY[]").Should().Be(Encoding.ASCII.GetString(second));
    }

    [Fact]
    public async Task UID_FETCH_answers_the_expunged_message_and_then_announces_the_expunge()
    {
        var first = await DeliverAsync(1);
        await DeliverAsync(2);
        await using var server = await StartServerAsync();
        await using var reader = await ImapTestServer.LoginAsync(server);
        await using var expunger = await ImapTestServer.LoginAsync(server);
        await SendAsync(reader, "a", "SELECT INBOX");
        await SendAsync(expunger, "x1", "SELECT INBOX");
        await SendAsync(expunger, "x2", "STORE 1 +FLAGS.SILENT (\\Deleted)");
        await SendAsync(expunger, "x3", "EXPUNGE");

        // RFC 9051 §7.5.1: UID FETCH may send EXPUNGE, after the data it was asked for.
        var fetched = await SendAsync(reader, "b", "UID FETCH 1:* (BODY.PEEK[])");
        fetched.Should().HaveCount(4);
        fetched[0].Should().StartWith("* 1 FETCH (");
        LiteralOf(fetched[0], "BODY[]").Should().Be(Encoding.ASCII.GetString(first));
        fetched[1].Should().StartWith("* 2 FETCH (");
        fetched.Skip(2).Should().Equal("* 1 EXPUNGE", "b OK FETCH completed");
    }

    [Fact]
    public async Task Four_busy_sessions_on_one_mailbox_get_no_NO_no_BAD_and_no_empty_headers()
    {
        for (var n = 1; n <= 8; n++)
        {
            await DeliverAsync(n);
        }

        await using var server = await StartServerAsync();
        var sessions = Enumerable.Range(0, 4).Select(i => RunSessionAsync(server, seed: 16 + i, commands: 70)).ToArray();
        var results = await Task.WhenAll(sessions).WaitAsync(TimeSpan.FromSeconds(20));
        results.Sum(r => r.HeaderFetches).Should().BeGreaterThan(20, "the mix fetched headers often");
        results.Sum(r => r.Expunges).Should().BeGreaterThan(0, "the mix expunged");
    }

    private static async Task<(int HeaderFetches, int Expunges)> RunSessionAsync(TestMailServer<MailHost.Imap.ImapConnectionHandler> server, int seed, int commands)
    {
        var random = new Random(seed);
        await using var client = await ImapTestServer.LoginAsync(server);
        var exists = 0;
        var headerFetches = 0;
        var expunges = 0;
        async Task RunAsync(string tag, string command)
        {
            var answer = await SendAsync(client, tag, command);
            answer[^1].Should().StartWith(tag + " OK", "{0} must succeed under load; got: {1}", command, string.Join(" | ", answer));
            foreach (var response in answer.SkipLast(1))
            {
                if (Regex.Match(response, @"^\* (\d+) EXISTS$") is { Success: true } count)
                {
                    exists = int.Parse(count.Groups[1].Value, CultureInfo.InvariantCulture);
                }
                else if (Regex.IsMatch(response, @"^\* \d+ EXPUNGE$"))
                {
                    exists--;
                    expunges++;
                }
                else if (LiteralOf(response, HeaderFields) is { } header)
                {
                    header.Should().Contain("To: alice@example.com\r\n").And.Contain("Message-ID: <").And.EndWith("\r\n\r\n");
                    headerFetches++;
                }
                else
                {
                    response.Should().NotContain("HEADER.FIELDS", "header data is always a literal here: {0}", response);
                }
            }
        }

        await RunAsync("s0", "SELECT INBOX");
        for (var i = 1; i <= commands; i++)
        {
            var tag = "s" + i;
            var message = exists == 0 ? 0 : random.Next(1, exists + 1);
            switch (random.Next(10))
            {
                case 0:
                    await RunAsync(tag, "SELECT INBOX");
                    break;
                case 1 or 2 when exists > 0:
                    await RunAsync(tag, $"FETCH 1:* (FLAGS {HeaderFields.Replace("BODY[", "BODY.PEEK[", StringComparison.Ordinal)})");
                    break;
                case 3 when exists > 0:
                    await RunAsync(tag, $"FETCH {message} (UID BODY.PEEK[] {HeaderFields.Replace("BODY[", "BODY.PEEK[", StringComparison.Ordinal)})");
                    break;
                case 4 when exists > 0:
                    await RunAsync(tag, $"STORE {message} +FLAGS (\\Deleted)");
                    break;
                case 5 when exists > 0:
                    await RunAsync(tag, $"COPY {message} INBOX");
                    break;
                case 6:
                    await RunAsync(tag, "EXPUNGE");
                    break;
                case 7 when exists > 0:
                    await RunAsync(tag, "UID FETCH 1:* (FLAGS)");
                    break;
                default:
                    var text = MailWorld.Message(1000 + (seed * 100) + i).ReplaceLineEndings("\r\n");
                    await RunAsync(tag, $"APPEND INBOX {{{Encoding.ASCII.GetByteCount(text)}+}}\r\n{text}");
                    break;
            }
        }

        await RunAsync("z", "LOGOUT");
        return (headerFetches, expunges);
    }
}
