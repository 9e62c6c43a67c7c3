using System.Text;
using MailHost.IntegrationTests.Infrastructure;
using MailHost.Storage;

namespace MailHost.IntegrationTests.Filtering.ClamAv;

/// <summary>The MX endpoint with ClamAV configured as the host reads it, against a real clamd: what SMTP clients see.</summary>
public sealed class ClamAvSmtpTests
{
    [ClamAvFact]
    public async Task The_EICAR_test_file_is_refused_with_554_naming_the_virus_and_a_clean_message_is_stored_with_the_scan_fields()
    {
        await using var clamd = await ClamdServer.StartAsync();
        var world = new MailWorld();
        await using var server = await FilteredSmtpHost.StartAsync(world, new Dictionary<string, string?> { ["ClamAv:Address"] = clamd.TcpAddress });
        await using var client = await FilteredSmtpHost.ConnectAsync(server);

        (await FilteredSmtpHost.SendAsync(client, Encoding.ASCII.GetString(ClamdServer.EicarMessage())))
            .Should().Be($"554 5.7.1 Message rejected: virus found ({ClamdServer.ReportedName})");
        (await FilteredSmtpHost.SendAsync(client, Encoding.ASCII.GetString(ClamdServer.CleanMessage()))).Should().StartWith("250 ");

        var stored = (await FilteredSmtpHost.MailboxAsync(world.Store, "alice", MailboxName.Inbox)).Single().Text;
        stored.Should().Contain("\r\nX-Virus-Scanned: ClamAV on mx.example.com\r\nX-Virus-Status: Clean\r\nFrom: sender@example.net\r\n");
    }

    [ClamAvFact]
    public async Task With_clamd_stopped_the_configured_policy_applies()
    {
        var clamd = await ClamdServer.StartAsync();
        await using (clamd)
        {
            var world = new MailWorld();
            await using var strict = await FilteredSmtpHost.StartAsync(world, new Dictionary<string, string?> { ["ClamAv:Address"] = clamd.UnixAddress });
            await using var lenient = await FilteredSmtpHost.StartAsync(world, new Dictionary<string, string?> { ["ClamAv:Address"] = clamd.UnixAddress, ["ClamAv:OnFailure"] = "Accept" });
            await using var strictClient = await FilteredSmtpHost.ConnectAsync(strict);
            await using var lenientClient = await FilteredSmtpHost.ConnectAsync(lenient);
            (await FilteredSmtpHost.SendAsync(strictClient, Encoding.ASCII.GetString(ClamdServer.CleanMessage()))).Should().StartWith("250 ", "clamd is up");

            await clamd.StopAsync();

            (await FilteredSmtpHost.SendAsync(strictClient, Encoding.ASCII.GetString(ClamdServer.CleanMessage())))
                .Should().Be("451 4.7.1 The message could not be checked now, try again later", "OnFailure TempFail, the default: never a 250 unchecked");
            (await FilteredSmtpHost.SendAsync(lenientClient, Encoding.ASCII.GetString(ClamdServer.CleanMessage()))).Should().StartWith("250 ");

            var inbox = await FilteredSmtpHost.MailboxAsync(world.Store, "alice", MailboxName.Inbox);
            inbox.Should().HaveCount(2);
            inbox[1].Text.Should().Contain("\r\nX-MailHost-Filter-Unchecked: clamav; ").And.NotContain("X-Virus-Status");
        }
    }
}
