using System.Text;
using MailHost.Hosting;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Storage;

namespace MailHost.IntegrationTests.Imap;

/// <summary>
/// SEARCH FROM, TO, CC and BCC on the parsed addresses (RFC 9051 §6.4.4), SORT by the first address's mailbox and by
/// base subject (RFC 5256 §2.1, §3), and THREAD=ORDEREDSUBJECT on the same base subject, over a socket on each store.
/// </summary>
public abstract class ImapAddressSearchSortTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>A new, empty store; the test disposes it.</summary>
    protected abstract Task<IMailStore> OpenStoreAsync();

    [Fact]
    public async Task SEARCH_FROM_TO_CC_BCC_match_the_addresses_as_parsed()
    {
        await using var store = await OpenStoreAsync().WaitAsync(Timeout);
        await using var server = await ImapTestServer.StartAsync(new MailWorld(), MailTlsMode.None, allowPlaintext: true, store: store);
        await using var client = await ImapTestServer.LoginAsync(server);
        await AppendAsync(client, 1, "From: ann@example.org\r\nTo: ben@example.org\r\nCc: cat@example.org\r\nBcc: dan@example.org\r\n");
        await AppendAsync(client, 2, "From: Ann Archer <ann@example.org>\r\nTo: Ben Baker <ben@example.org>\r\nCc: Cat Cole <cat@example.org>\r\nBcc: Dan Dale <dan@example.org>\r\n");
        await AppendAsync(client, 3, "From: <ann (at work)@ (mail) example.org>\r\nTo: <ben@\r\n example.org>\r\nCc: cat@(c)example.org\r\nBcc: dan (d) @ example.org\r\n");
        await AppendAsync(client, 4, "From: ann@example.org (Ann Archer)\r\nTo: ben@example.org (Ben Baker)\r\nCc: cat@example.org (Cat Cole)\r\nBcc: dan@example.org (Dan Dale)\r\n");
        await AppendAsync(client, 5, "From: ann2@example.org, other@example.org\r\nCc: cat@example.org\r\n");
        await AppendAsync(client, 6, "To: crew: ben2@example.org, eve@example.org;,\r\n rest: fay@example.org;\r\n");
        await client.CommandAsync("s", "SELECT INBOX");

        (await client.CommandAsync("a", "SEARCH FROM ann@example.org")).Should().Equal("* SEARCH 1 2 3 4", "a OK SEARCH completed");
        (await client.CommandAsync("b", "SEARCH TO ben@example.org")).Should().Equal("* SEARCH 1 2 3 4", "b OK SEARCH completed");
        (await client.CommandAsync("c", "SEARCH CC CAT@EXAMPLE.ORG")).Should().Equal("* SEARCH 1 2 3 4 5", "c OK SEARCH completed");
        (await client.CommandAsync("d", "SEARCH BCC dan@example.org")).Should().Equal("* SEARCH 1 2 3 4", "d OK SEARCH completed");
        (await client.CommandAsync("e", "SEARCH FROM \"Ann Archer <ann@example.org>\"")).Should().Equal("* SEARCH 2 4", "e OK SEARCH completed");
        (await client.CommandAsync("f", "SEARCH TO baker")).Should().Equal("* SEARCH 2 4", "f OK SEARCH completed");
        (await client.CommandAsync("g", "SEARCH FROM other")).Should().Equal("* SEARCH 5", "g OK SEARCH completed");
        (await client.CommandAsync("h", "SEARCH TO crew")).Should().Equal("* SEARCH 6", "h OK SEARCH completed");
        (await client.CommandAsync("i", "SEARCH TO fay@example.org")).Should().Equal("* SEARCH 6", "i OK SEARCH completed");
        (await client.CommandAsync("j", "SEARCH BCC \"\"")).Should().Equal("* SEARCH 1 2 3 4", "j OK SEARCH completed");
        (await client.CommandAsync("k", "SEARCH HEADER FROM ann@example.org")).Should().Equal("* SEARCH 1 2 4", "k OK SEARCH completed");
        (await client.CommandAsync("l", "SEARCH OR FROM ann@example.org TO rest NOT CC cole")).Should().Equal("* SEARCH 1 3 6", "l OK SEARCH completed");
        (await client.CommandAsync("m", "UID SEARCH RETURN (COUNT) FROM \"ann (at work)\"")).Should().Equal("* ESEARCH (TAG \"m\") UID COUNT 1", "m OK SEARCH completed");
    }

    [Fact]
    public async Task SORT_by_address_uses_the_mailbox_of_the_first_address()
    {
        await using var store = await OpenStoreAsync().WaitAsync(Timeout);
        await using var server = await ImapTestServer.StartAsync(new MailWorld(), MailTlsMode.None, allowPlaintext: true, store: store);
        await using var client = await ImapTestServer.LoginAsync(server);
        await AppendAsync(client, 1, "From: \"Aaron\" <zed@x.example>\r\nTo: \"Zoe\" <mia@x.example>\r\nCc: \"Zed Adams\" <bob@zeta.example>\r\n");
        await AppendAsync(client, 2, "From: abe@x.example (Zara)\r\nTo: liam@x.example\r\nCc: alice@omega.example (Zoe)\r\n");
        await AppendAsync(client, 3, "From: \"Yan\" <Mia@x.example>\r\nTo: team: nora@x.example;\r\nCc: team: carol@x.example, dave@x.example;\r\n");
        await AppendAsync(client, 4, "From: ben@x.example\r\n");
        await AppendAsync(client, 5, "From: \"Cy\" <\"abe x\"@x.example>\r\nTo: \"Abe\" <zed@x.example>\r\nCc: \"bob b\"@alpha.example\r\n");
        await AppendAsync(client, 6, "From: <zed (c) @ x.example>\r\nTo: undisclosed-recipients:;\r\nCc: <bob (comment) @ (comment) zeta.example>, aaron@x.example\r\n");
        await AppendAsync(client, 7, "From: ZED@y.example\r\nTo: MIA@x.example\r\nCc: BOB@other.example\r\n");
        await client.CommandAsync("s", "SELECT INBOX");

        // Cc mailboxes: bob, alice, the group "team", none, "bob b" (quoted), bob, BOB.
        (await client.CommandAsync("a", "SORT (CC) US-ASCII ALL")).Should().Equal("* SORT 4 2 1 6 7 5 3", "a OK SORT completed");
        (await client.CommandAsync("b", "SORT (REVERSE CC) US-ASCII ALL")).Should().Equal("* SORT 3 5 1 6 7 2 4", "b OK SORT completed");
        (await client.CommandAsync("c", "SORT (CC REVERSE ARRIVAL) US-ASCII ALL")).Should().Equal("* SORT 4 2 7 6 1 5 3", "c OK SORT completed");
        (await client.CommandAsync("d", "UID SORT (CC ARRIVAL) UTF-8 NOT CC alice")).Should().Equal("* SORT 4 1 6 7 5 3", "d OK SORT completed");

        // From mailboxes: zed, abe, Mia, ben, "abe x", zed, ZED; display names never count.
        (await client.CommandAsync("e", "SORT (FROM) US-ASCII ALL")).Should().Equal("* SORT 2 5 4 3 1 6 7", "e OK SORT completed");
        (await client.CommandAsync("f", "SORT (REVERSE FROM) US-ASCII ALL")).Should().Equal("* SORT 1 6 7 3 4 5 2", "f OK SORT completed");

        // To mailboxes: mia, liam, the group "team", none, zed, the group "undisclosed-recipients", MIA.
        (await client.CommandAsync("g", "SORT (TO) US-ASCII ALL")).Should().Equal("* SORT 4 2 1 7 3 6 5", "g OK SORT completed");
        (await client.CommandAsync("h", "SORT (TO REVERSE ARRIVAL) US-ASCII ALL")).Should().Equal("* SORT 4 2 7 1 3 6 5", "h OK SORT completed");
    }

    [Fact]
    public async Task SORT_SUBJECT_and_THREAD_ORDEREDSUBJECT_use_the_RFC_5256_base_subject()
    {
        await using var store = await OpenStoreAsync().WaitAsync(Timeout);
        await using var server = await ImapTestServer.StartAsync(new MailWorld(), MailTlsMode.None, allowPlaintext: true, store: store);
        await using var client = await ImapTestServer.LoginAsync(server);
        string[] subjects =
        [
            "Subject: Re: [list] Fwd: Budget\r\n",                        // 1  BUDGET
            "Subject: =?utf-8?q?=C3=A9t=C3=A9?= plans\r\n",              // 2  E\u0301TE\u0301 PLANS, between E and F
            "Subject: [fwd: Re: [team] agenda (fwd)]\r\n",               // 3  AGENDA
            "Subject: Budget (fwd)\r\n",                                 // 4  BUDGET
            "Subject:\r\n",                                              // 5  empty
            "",                                                          // 6  no Subject: empty
            "Subject: Re [2] : Fig harvest\r\n",                         // 7  FIG HARVEST
            "Subject: [a[b] zebra\r\n",                                  // 8  "[a[b]" is no blob: [A[B] ZEBRA
            "Subject: Zebra crossing\r\n",                               // 9  ZEBRA CROSSING
            "Subject: Eagle =?iso-8859-1?q?=FCber?= alles\r\n",          // 10 EAGLE U\u0308BER ALLES
            "Subject: FW: fwd: RE: eagle\r\n",                           // 11 EAGLE
            "Subject: Agenda\t(FWD)  \r\n",                              // 12 AGENDA
            "Subject: [only a blob]\r\n",                                // 13 [ONLY A BLOB]
            "Subject: _underscore\r\n",                                  // 14 _UNDERSCORE
            "Subject: =?utf-8?q?=EF=BC=A2udget?=\r\n",                   // 15 full-width B: BUDGET
        ];
        for (var i = 0; i < subjects.Length; i++)
        {
            await AppendAsync(client, i + 1, $"From: bob@example.org\r\nDate: {i + 1:00} Nov 2026 10:00:00 +0000\r\n{subjects[i]}");
        }

        await client.CommandAsync("s", "SELECT INBOX");
        (await client.CommandAsync("a", "SORT (SUBJECT) UTF-8 ALL")).Should().Equal("* SORT 5 6 3 12 1 4 15 11 10 2 7 9 8 13 14", "a OK SORT completed");
        (await client.CommandAsync("b", "SORT (REVERSE SUBJECT) UTF-8 ALL")).Should().Equal("* SORT 14 13 8 9 7 2 10 11 1 4 15 3 12 5 6", "b OK SORT completed");
        (await client.CommandAsync("c", "SORT (SUBJECT REVERSE DATE) UTF-8 ALL")).Should().Equal("* SORT 6 5 12 3 15 4 1 11 10 2 7 9 8 13 14", "c OK SORT completed");
        (await client.CommandAsync("d", "THREAD ORDEREDSUBJECT UTF-8 ALL")).Should().Equal(
            "* THREAD (1 (4)(15))(2)(3 12)(5 6)(7)(8)(9)(10)(11)(13)(14)", "d OK THREAD completed");
    }

    /// <summary>APPENDs a short message whose INTERNALDATE is <paramref name="second"/> seconds into the minute.</summary>
    private static async Task AppendAsync(LineClient client, int second, string headers)
    {
        var message = headers + "\r\nbody " + second + "\r\n";
        var answer = await client.CommandAsync("p" + second, $"APPEND INBOX \"01-Nov-2026 10:00:{second:00} +0000\" {{{Encoding.UTF8.GetByteCount(message)}+}}\r\n{message}");
        answer.Should().ContainSingle().Which.Should().StartWith($"p{second} OK [APPENDUID ");
    }
}
