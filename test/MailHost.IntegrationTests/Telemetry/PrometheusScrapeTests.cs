using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using MailHost.IntegrationTests.Outbound;
using MailHost.Server.Administration;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace MailHost.IntegrationTests.Telemetry;

/// <summary>
/// The real host with its administration endpoint: after an SMTP and an IMAP session, a Prometheus scrape of
/// <c>/metrics</c> shows what they did. The meter is process-wide and other tests run hosts meanwhile, so the counts
/// are at least those of these sessions.
/// </summary>
public sealed partial class PrometheusScrapeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_scrape_of_the_admin_endpoint_shows_the_commands_logins_messages_and_connections_of_real_sessions()
    {
        var data = await MailHostInstance.PrepareAsync(["example.com"], "alice@example.com");
        await using var host = await MailHostInstance.StartAsync(
            data,
            "mail.example.com",
            "--MailHost:Admin:Url=http://127.0.0.1:0",
            "--MailHost:Endpoints:Imap:Url=imap://127.0.0.1:0",
            "--MailHost:Endpoints:Imap:Tls=None",
            "--MailHost:Endpoints:Imap:AllowPlaintextAuthentication=true");
        using var deadline = new CancellationTokenSource(Timeout);

        using (var smtp = new SmtpClient())
        {
            await smtp.ConnectAsync(host.Mx.Address.ToString(), host.Mx.Port, SecureSocketOptions.None, deadline.Token);
            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse("bob@sender.test"));
            message.To.Add(MailboxAddress.Parse("alice@example.com"));
            message.Subject = "Scraped";
            message.Body = new TextPart("plain") { Text = "Hello Alice.\r\n" };
            await smtp.SendAsync(message, deadline.Token);
            await smtp.DisconnectAsync(quit: true, deadline.Token);
        }

        var imapEndPoint = host.Endpoint("Imap");
        using (var imap = new ImapClient())
        {
            await imap.ConnectAsync(imapEndPoint.Address.ToString(), imapEndPoint.Port, SecureSocketOptions.None, deadline.Token);
            await imap.AuthenticateAsync("alice", "alice-pw", deadline.Token);
            await imap.Inbox.OpenAsync(FolderAccess.ReadOnly, deadline.Token);
            (await imap.Inbox.FetchAsync(0, -1, MessageSummaryItems.Envelope, deadline.Token)).Should().ContainSingle();
            await imap.DisconnectAsync(quit: true, deadline.Token);
        }

        var admin = host.Services.GetRequiredService<AdminListener>().BaseAddress!;
        using var http = new HttpClient { BaseAddress = admin, Timeout = Timeout };
        using var response = await http.GetAsync("/metrics", deadline.Token);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        var scrape = Parse(await response.Content.ReadAsStringAsync(deadline.Token));

        scrape.Sum("mailhost_commands_total", ("protocol", "smtp"), ("command", "MAIL")).Should().BeGreaterThanOrEqualTo(1);
        scrape.Sum("mailhost_commands_total", ("protocol", "smtp"), ("command", "RCPT")).Should().BeGreaterThanOrEqualTo(1);
        scrape.Sum("mailhost_commands_total", ("protocol", "imap"), ("command", "EXAMINE")).Should().BeGreaterThanOrEqualTo(1);
        scrape.Sum("mailhost_commands_total", ("protocol", "imap"), ("command", "FETCH")).Should().BeGreaterThanOrEqualTo(1);
        scrape.Sum("mailhost_auth_attempts_total", ("protocol", "imap"), ("outcome", "succeeded")).Should().BeGreaterThanOrEqualTo(1);
        scrape.Sum("mailhost_messages_received_total", ("endpoint", "mx")).Should().BeGreaterThanOrEqualTo(1);
        scrape.Sum("mailhost_messages_delivered_total", ("route", "local")).Should().BeGreaterThanOrEqualTo(1);
        scrape.Sum("mailhost_connections_opened_total", ("protocol", "smtp")).Should().BeGreaterThanOrEqualTo(1);
        scrape.Sum("mailhost_connections_opened_total", ("protocol", "imap")).Should().BeGreaterThanOrEqualTo(1);
        scrape.Sum("mailhost_store_operation_duration_seconds_count", ("operation", "deliver"), ("store", "sqlite")).Should().BeGreaterThanOrEqualTo(1);
        scrape.Sum("mailhost_store_operation_duration_seconds_count", ("operation", "fetch"), ("store", "sqlite")).Should().BeGreaterThanOrEqualTo(1);

        // The platform's meters come along: Kestrel counts the mail connections too.
        scrape.Samples.Should().Contain(s => s.Name.StartsWith("kestrel_", StringComparison.Ordinal));
    }

    /// <summary>The samples of a scrape in the Prometheus text format: <c>name{label="value",...} value [timestamp]</c>.</summary>
    private static Scrape Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var line in text.Split('\n'))
        {
            var match = SampleLine().Match(line);
            if (line.StartsWith('#') || !match.Success)
            {
                continue;
            }

            var labels = LabelPair().Matches(match.Groups["labels"].Value)
                .ToDictionary(m => m.Groups["name"].Value, m => Regex.Unescape(m.Groups["value"].Value), StringComparer.Ordinal);
            samples.Add(new Sample(match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }

        return new Scrape(samples);
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)""")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<name>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();

    private sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    private sealed record Scrape(IReadOnlyList<Sample> Samples)
    {
        public double Sum(string name, params (string Key, string Value)[] labels) => Samples
            .Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
            .Sum(s => s.Value);
    }
}
