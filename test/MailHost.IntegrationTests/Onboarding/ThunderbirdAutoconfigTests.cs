using System.Net;
using System.Xml.Linq;

namespace MailHost.IntegrationTests.Onboarding;

/// <summary>
/// Thunderbird's autoconfig request (GET with <c>emailaddress</c>) against the real host, and the answer used to log in.
/// </summary>
public sealed class ThunderbirdAutoconfigTests
{
    [Theory]
    [InlineData("AccountName", "%EMAILLOCALPART%", "alice")]
    [InlineData("EmailAddress", "%EMAILADDRESS%", "alice@example.com")]
    [InlineData("AccountNameOrEmailAddress", "%EMAILADDRESS%", "alice@example.com")]
    public async Task The_advertised_servers_are_the_enabled_ones_and_the_advertised_login_works(string mode, string placeholder, string login)
    {
        await using var host = await OnboardingHost.StartAsync(mode);
        using var http = host.CreateHttpClient();

        var config = await GetAsync(http, "/mail/config-v1.1.xml?emailaddress=alice%40example.com");

        var provider = config.Root!.Element("emailProvider")!;
        config.Root.Name.LocalName.Should().Be("clientConfig");
        config.Root.Attribute("version")!.Value.Should().Be("1.1");
        provider.Attribute("id")!.Value.Should().Be("example.com");
        provider.Elements("domain").Select(d => d.Value).Should().BeEquivalentTo("example.com", "example.org");
        var incoming = provider.Elements("incomingServer").Select(Describe).ToList();
        var outgoing = provider.Elements("outgoingServer").Select(Describe).ToList();
        incoming.Should().Equal(
            ("imap", host.PortOf("Imaps"), "SSL"),
            ("imap", host.PortOf("Imap"), "STARTTLS"),
            ("pop3", host.PortOf("Pop3s"), "SSL"),
            ("pop3", host.PortOf("Pop3"), "STARTTLS"));
        outgoing.Should().Equal(("smtp", host.PortOf("Submissions"), "SSL"), ("smtp", host.PortOf("Submission"), "STARTTLS"));
        outgoing.Should().NotContain(s => s.Port == host.PortOf("Mx"), "the MX port refuses to relay for clients");
        incoming.Should().NotContain(s => s.Port == host.PortOf("ImapPlain"), "a port without TLS is never advertised");
        foreach (var server in provider.Elements("incomingServer").Concat(provider.Elements("outgoingServer")))
        {
            server.Element("hostname")!.Value.Should().Be(OnboardingHost.Hostname);
            server.Element("authentication")!.Value.Should().Be("password-cleartext");
            server.Element("username")!.Value.Should().Be(placeholder);
        }

        // What Thunderbird fills in for the placeholder when the user typed alice@example.com.
        var user = placeholder.Replace("%EMAILADDRESS%", "alice@example.com", StringComparison.Ordinal).Replace("%EMAILLOCALPART%", "alice", StringComparison.Ordinal);
        user.Should().Be(login);
        foreach (var (type, port, socketType) in incoming)
        {
            var attempt = type == "imap"
                ? AdvertisedLogin.ImapAsync(host, port, AdvertisedLogin.TlsOf(socketType), user, OnboardingHost.AlicePassword)
                : AdvertisedLogin.Pop3Async(host, port, AdvertisedLogin.TlsOf(socketType), user, OnboardingHost.AlicePassword);
            await attempt;
        }

        foreach (var (_, port, socketType) in outgoing)
        {
            await AdvertisedLogin.SmtpAsync(host, port, AdvertisedLogin.TlsOf(socketType), user, OnboardingHost.AlicePassword);
        }
    }

    [Fact]
    public async Task The_well_known_path_gives_the_same_file_and_an_unknown_address_the_same_answer()
    {
        await using var host = await OnboardingHost.StartAsync();
        using var http = host.CreateHttpClient();

        var known = (await GetAsync(http, "/mail/config-v1.1.xml?emailaddress=alice%40example.com")).ToString();
        var wellKnown = (await GetAsync(http, "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice%40example.com")).ToString();
        var unknown = (await GetAsync(http, "/mail/config-v1.1.xml?emailaddress=nobody%40example.com")).ToString();

        wellKnown.Should().Be(known);
        unknown.Should().Be(known, "the answer must not tell whether an account exists");
    }

    [Theory]
    [InlineData("/mail/config-v1.1.xml")]
    [InlineData("/mail/config-v1.1.xml?emailaddress=not-an-address")]
    public async Task A_request_without_a_valid_address_is_refused(string path)
    {
        await using var host = await OnboardingHost.StartAsync();
        using var http = host.CreateHttpClient();

        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    private static async Task<XDocument> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/xml");
        return XDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static (string Type, int Port, string SocketType) Describe(XElement server) =>
        (server.Attribute("type")!.Value, int.Parse(server.Element("port")!.Value, System.Globalization.CultureInfo.InvariantCulture), server.Element("socketType")!.Value);
}
