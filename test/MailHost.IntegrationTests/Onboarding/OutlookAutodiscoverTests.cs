using System.Net;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using MailKit.Security;

namespace MailHost.IntegrationTests.Onboarding;

/// <summary>Outlook's POX autodiscover POST and the JSON v2 lookup against the real host.</summary>
public sealed class OutlookAutodiscoverTests
{
    private static readonly XNamespace Response = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

    [Theory]
    [InlineData("AccountName", "/autodiscover/autodiscover.xml", "alice")]
    [InlineData("EmailAddress", "/Autodiscover/Autodiscover.xml", "alice@example.com")]
    [InlineData("AccountNameOrEmailAddress", "/Autodiscover/Autodiscover.xml", "alice@example.com")]
    public async Task The_POX_answer_lists_IMAP_SMTP_and_POP3_and_its_login_name_works(string mode, string path, string loginName)
    {
        await using var host = await OnboardingHost.StartAsync(mode);
        using var http = host.CreateHttpClient();

        var answer = await PostAsync(http, path, OutlookRequest("alice@example.com"));

        answer.Root!.Name.Should().Be(XName.Get("Autodiscover", "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"));
        var account = answer.Root.Element(Response + "Response")!.Element(Response + "Account")!;
        account.Element(Response + "AccountType")!.Value.Should().Be("email");
        account.Element(Response + "Action")!.Value.Should().Be("settings");
        var protocols = account.Elements(Response + "Protocol").ToDictionary(p => p.Element(Response + "Type")!.Value);
        protocols.Keys.Should().Equal("IMAP", "SMTP", "POP3");
        (string Port, string Encryption) Of(string type) => (protocols[type].Element(Response + "Port")!.Value, protocols[type].Element(Response + "Encryption")!.Value);
        Of("IMAP").Should().Be((host.PortOf("Imaps").ToString(System.Globalization.CultureInfo.InvariantCulture), "SSL"));
        Of("SMTP").Should().Be((host.PortOf("Submissions").ToString(System.Globalization.CultureInfo.InvariantCulture), "SSL"), "submission, never the MX port");
        Of("POP3").Should().Be((host.PortOf("Pop3s").ToString(System.Globalization.CultureInfo.InvariantCulture), "SSL"));
        foreach (var protocol in protocols.Values)
        {
            protocol.Element(Response + "Server")!.Value.Should().Be(OnboardingHost.Hostname);
            protocol.Element(Response + "LoginName")!.Value.Should().Be(loginName);
            protocol.Element(Response + "SPA")!.Value.Should().Be("off");
            protocol.Element(Response + "SSL")!.Value.Should().Be("on");
            protocol.Element(Response + "AuthRequired")!.Value.Should().Be("on");
        }

        int PortOf(string type) => int.Parse(protocols[type].Element(Response + "Port")!.Value, System.Globalization.CultureInfo.InvariantCulture);
        await AdvertisedLogin.ImapAsync(host, PortOf("IMAP"), SecureSocketOptions.SslOnConnect, loginName, OnboardingHost.AlicePassword);
        await AdvertisedLogin.SmtpAsync(host, PortOf("SMTP"), SecureSocketOptions.SslOnConnect, loginName, OnboardingHost.AlicePassword);
        await AdvertisedLogin.Pop3Async(host, PortOf("POP3"), SecureSocketOptions.SslOnConnect, loginName, OnboardingHost.AlicePassword);
    }

    [Fact]
    public async Task Without_implicit_TLS_endpoints_STARTTLS_ports_are_advertised_as_TLS_and_work()
    {
        await using var host = await OnboardingHost.StartAsync(
            "AccountNameOrEmailAddress",
            false,
            "--MailHost:Endpoints:Imaps:Enabled=false",
            "--MailHost:Endpoints:Submissions:Enabled=false",
            "--MailHost:Endpoints:Pop3s:Enabled=false");
        using var http = host.CreateHttpClient();

        var answer = await PostAsync(http, "/autodiscover/autodiscover.xml", OutlookRequest("alice@example.com"));

        var protocols = answer.Descendants(Response + "Protocol").ToDictionary(p => p.Element(Response + "Type")!.Value);
        protocols["IMAP"].Element(Response + "Port")!.Value.Should().Be(host.PortOf("Imap").ToString(System.Globalization.CultureInfo.InvariantCulture));
        protocols["IMAP"].Element(Response + "Encryption")!.Value.Should().Be("TLS");
        protocols["SMTP"].Element(Response + "Port")!.Value.Should().Be(host.PortOf("Submission").ToString(System.Globalization.CultureInfo.InvariantCulture));
        protocols["SMTP"].Element(Response + "Encryption")!.Value.Should().Be("TLS");
        await AdvertisedLogin.ImapAsync(host, host.PortOf("Imap"), SecureSocketOptions.StartTls, "alice@example.com", OnboardingHost.AlicePassword);
        await AdvertisedLogin.SmtpAsync(host, host.PortOf("Submission"), SecureSocketOptions.StartTls, "alice@example.com", OnboardingHost.AlicePassword);
    }

    [Fact]
    public async Task An_unknown_address_gets_an_answer_of_the_same_shape()
    {
        await using var host = await OnboardingHost.StartAsync();
        using var http = host.CreateHttpClient();

        var known = (await PostAsync(http, "/autodiscover/autodiscover.xml", OutlookRequest("alice@example.com"))).ToString();
        var unknown = (await PostAsync(http, "/autodiscover/autodiscover.xml", OutlookRequest("nobody@example.com"))).ToString();

        unknown.Replace("nobody@example.com", "alice@example.com", StringComparison.Ordinal).Should().Be(known);
    }

    [Theory]
    [InlineData("""<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><Autodiscover><Request><EMailAddress>&x;</EMailAddress></Request></Autodiscover>""")]
    [InlineData("""<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Autodiscover><Request><EMailAddress>&b;</EMailAddress></Request></Autodiscover>""")]
    [InlineData("""<Autodiscover><Request><EMailAddress>alice@example.com</EMailAddress></Request>""")]
    [InlineData("not xml at all")]
    [InlineData("""<Other><Request><EMailAddress>alice@example.com</EMailAddress></Request></Other>""")]
    [InlineData("""<Autodiscover><Request></Request></Autodiscover>""")]
    public async Task A_DTD_malformed_or_foreign_body_gets_400(string body)
    {
        await using var host = await OnboardingHost.StartAsync();
        using var http = host.CreateHttpClient();

        using var content = new StringContent(body, Encoding.UTF8, "text/xml");
        using var response = await http.PostAsync(new Uri("/autodiscover/autodiscover.xml", UriKind.Relative), content);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().NotContain("root:");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_over_16_KiB_is_refused_with_or_without_a_length(bool chunked)
    {
        await using var host = await OnboardingHost.StartAsync();
        using var http = host.CreateHttpClient();
        var body = OutlookRequest("alice@example.com").Replace("<Request>", "<Request>" + new string(' ', 17 * 1024), StringComparison.Ordinal);

        using var content = new StringContent(body, Encoding.UTF8, "text/xml");
        if (chunked)
        {
            content.Headers.ContentLength = null;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/autodiscover/autodiscover.xml", UriKind.Relative)) { Content = content };
        request.Headers.TransferEncodingChunked = chunked;
        using var response = await http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task An_ActiveSync_request_gets_the_provider_not_found_error()
    {
        await using var host = await OnboardingHost.StartAsync();
        using var http = host.CreateHttpClient();
        var body = OutlookRequest("alice@example.com").Replace("outlook/responseschema/2006a", "mobilesync/responseschema/2006", StringComparison.Ordinal);

        var answer = await PostAsync(http, "/autodiscover/autodiscover.xml", body);

        answer.Descendants().Single(e => e.Name.LocalName == "ErrorCode").Value.Should().Be("601");
        answer.Descendants().Should().NotContain(e => e.Name.LocalName == "Protocol");
    }

    [Fact]
    public async Task The_JSON_lookup_points_to_the_POX_endpoint_and_refuses_other_protocols()
    {
        await using var host = await OnboardingHost.StartAsync();
        using var http = host.CreateHttpClient();

        using var found = await http.GetAsync(new Uri("/autodiscover/autodiscover.json?Email=alice%40example.com&Protocol=AutodiscoverV1", UriKind.Relative));
        using var pathForm = await http.GetAsync(new Uri("/autodiscover/autodiscover.json/v1.0/alice%40example.com?Protocol=AutodiscoverV1", UriKind.Relative));
        using var activeSync = await http.GetAsync(new Uri("/autodiscover/autodiscover.json?Email=alice%40example.com&Protocol=ActiveSync", UriKind.Relative));

        found.StatusCode.Should().Be(HttpStatusCode.OK);
        found.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        using var json = JsonDocument.Parse(await found.Content.ReadAsStringAsync());
        json.RootElement.GetProperty("Protocol").GetString().Should().Be("AutodiscoverV1");
        var url = new Uri(json.RootElement.GetProperty("Url").GetString()!);
        url.AbsolutePath.Should().Be("/autodiscover/autodiscover.xml");
        pathForm.StatusCode.Should().Be(HttpStatusCode.OK);
        (await PostAsync(http, url.PathAndQuery, OutlookRequest("alice@example.com"))).Descendants(Response + "Protocol").Should().NotBeEmpty();

        activeSync.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        using var error = JsonDocument.Parse(await activeSync.Content.ReadAsStringAsync());
        error.RootElement.GetProperty("ErrorCode").GetString().Should().Be("InvalidProtocol");
        error.RootElement.GetProperty("ErrorMessage").GetString().Should().Contain("AutodiscoverV1");
    }

    /// <summary>The body Outlook posts (MS-OXDSCLI §4.1).</summary>
    private static string OutlookRequest(string address) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
          <Request>
            <EMailAddress>{address}</EMailAddress>
            <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
          </Request>
        </Autodiscover>
        """;

    private static async Task<XDocument> PostAsync(HttpClient http, string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "text/xml");
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), content);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/xml");
        return XDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}
