using System.Net;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.IntegrationTests.Smtp;
using MailHost.Storage;
using MailHost.Tests.Delivery;

namespace MailHost.IntegrationTests.Filtering.DnsLists;

/// <summary>
/// DNS block and allow lists (RFC 5782) configured as the host reads them, answered from a fake zone: a listed client
/// address is refused at connect, others are served, an allow list wins, and a list that cannot be asked lets mail in.
/// </summary>
public sealed class DnsListSmtpTests
{
    private static readonly Dictionary<string, string?> Lists = new()
    {
        ["DnsLists:BlockLists:0:Zone"] = "bl.example",
        ["DnsLists:AllowLists:0:Zone"] = "wl.example",
    };

    private static FakeDnsZone Zone()
    {
        var zone = new FakeDnsZone();
        zone.Addresses["5.0.0.127.bl.example"] = [IPAddress.Parse("127.0.0.2")];
        zone.Txt["5.0.0.127.bl.example"] = ["Listed for sending spam to traps"];
        zone.Addresses["6.0.0.127.bl.example"] = [IPAddress.Parse("127.0.0.2")];
        zone.Addresses["6.0.0.127.wl.example"] = [IPAddress.Parse("127.0.10.2")];
        return zone;
    }

    [Fact]
    public async Task A_block_listed_client_is_refused_at_connect_and_an_unlisted_one_is_served()
    {
        var world = new MailWorld();
        await using var server = await FilteredSmtpHost.StartAsync(world, Lists, Zone());

        await using (var listed = await LineClient.ConnectFromAsync(server.EndPoint, IPAddress.Parse("127.0.0.5")))
        {
            (await listed.ReadLineAsync()).Should().Be($"554 {SmtpTestHost.Hostname} Client address 127.0.0.5 is listed by bl.example: Listed for sending spam to traps");
            await listed.SendAsync("EHLO client.example.net\r\n");
            (await FilteredSmtpHost.ReplyAsync(listed)).Should().StartWith("503 ");
        }

        await using var unlisted = await LineClient.ConnectFromAsync(server.EndPoint, IPAddress.Parse("127.0.0.7"));
        (await unlisted.ReadLineAsync()).Should().StartWith("220 ");
        (await FilteredSmtpHost.SendAsync(unlisted, "Subject: hi\r\n\r\nx\r\n")).Should().StartWith("250 ");
        (await FilteredSmtpHost.MailboxAsync(world.Store, "alice", MailboxName.Inbox)).Should().ContainSingle();
    }

    [Fact]
    public async Task An_allow_list_outweighs_a_block_list()
    {
        var world = new MailWorld();
        await using var server = await FilteredSmtpHost.StartAsync(world, Lists, Zone());

        await using var client = await LineClient.ConnectFromAsync(server.EndPoint, IPAddress.Parse("127.0.0.6"));
        (await client.ReadLineAsync()).Should().StartWith("220 ");
        (await FilteredSmtpHost.SendAsync(client, "Subject: hi\r\n\r\nx\r\n")).Should().StartWith("250 ");
    }

    [Fact]
    public async Task A_list_that_cannot_be_asked_lets_mail_in_and_the_message_says_it_was_not_checked()
    {
        var world = new MailWorld();
        var zone = Zone();
        zone.Failing.Add("7.0.0.127.bl.example");
        zone.Failing.Add("7.0.0.127.wl.example");
        await using var server = await FilteredSmtpHost.StartAsync(world, Lists, zone);

        await using var client = await LineClient.ConnectFromAsync(server.EndPoint, IPAddress.Parse("127.0.0.7"));
        (await client.ReadLineAsync()).Should().StartWith("220 ", "OnFailure is Accept by default for DNS lists");
        (await FilteredSmtpHost.SendAsync(client, "Subject: hi\r\n\r\nx\r\n")).Should().StartWith("250 ");
        (await FilteredSmtpHost.MailboxAsync(world.Store, "alice", MailboxName.Inbox)).Single().Text
            .Should().Contain("\r\nX-MailHost-Filter-Unchecked: dnslists; ");
    }
}
