using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Xml;
using System.Xml.Linq;
using MailHost.IntegrationTests.Infrastructure;
using MailKit.Security;

namespace MailHost.IntegrationTests.Onboarding;

/// <summary>The Apple configuration profile (signed or not) and the MTA-STS policy served by the real host.</summary>
public sealed class AppleProfileAndMtaStsTests
{
    private const string ProfilePath = "/apple/mailhost.mobileconfig?emailaddress=alice%40example.com";

    [Fact]
    public async Task With_the_self_signed_certificate_the_profile_is_unsigned_and_its_settings_log_in()
    {
        await using var host = await OnboardingHost.StartAsync("AccountName");
        using var http = host.CreateHttpClient();

        using var response = await http.GetAsync(new Uri(ProfilePath, UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/x-apple-aspen-config");
        var payload = MailPayload(ParsePlist(await response.Content.ReadAsByteArrayAsync()));
        payload["PayloadType"].Should().Be("com.apple.mail.managed");
        payload["EmailAccountType"].Should().Be("EmailTypeIMAP");
        payload["EmailAddress"].Should().Be("alice@example.com");
        payload["IncomingMailServerHostName"].Should().Be(OnboardingHost.Hostname);
        payload["IncomingMailServerPortNumber"].Should().Be(host.PortOf("Imaps").ToString(System.Globalization.CultureInfo.InvariantCulture));
        payload["IncomingMailServerUseSSL"].Should().Be("true");
        payload["OutgoingMailServerPortNumber"].Should().Be(host.PortOf("Submissions").ToString(System.Globalization.CultureInfo.InvariantCulture));
        payload["OutgoingMailServerUseSSL"].Should().Be("true");
        payload["IncomingMailServerUsername"].Should().Be("alice", "AccountName mode: the local part");
        await AdvertisedLogin.ImapAsync(host, int.Parse(payload["IncomingMailServerPortNumber"], System.Globalization.CultureInfo.InvariantCulture), SecureSocketOptions.SslOnConnect, payload["IncomingMailServerUsername"], OnboardingHost.AlicePassword);
        await AdvertisedLogin.SmtpAsync(host, int.Parse(payload["OutgoingMailServerPortNumber"], System.Globalization.CultureInfo.InvariantCulture), SecureSocketOptions.SslOnConnect, payload["OutgoingMailServerUsername"], OnboardingHost.AlicePassword);
    }

    [Fact]
    public async Task With_a_CA_issued_certificate_the_profile_is_signed_by_it()
    {
        using var data = new TempDirectory();
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=" + OnboardingHost.Hostname, leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(OnboardingHost.Hostname);
        leafRequest.CertificateExtensions.Add(names.Build());
        using var issued = leafRequest.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(90), [1, 2, 3, 4]);
        using var leaf = issued.CopyWithPrivateKey(leafKey);
        var certPath = Path.Combine(data.Path, "cert.pem");
        var keyPath = Path.Combine(data.Path, "key.pem");
        await File.WriteAllTextAsync(certPath, leaf.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, leafKey.ExportPkcs8PrivateKeyPem());
        await using var host = await OnboardingHost.StartAsync("AccountNameOrEmailAddress", false, "--MailHost:Certificate:Path=" + certPath, "--MailHost:Certificate:KeyPath=" + keyPath);
        using var http = host.CreateHttpClient();

        using var response = await http.GetAsync(new Uri(ProfilePath, UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var cms = new SignedCms();
        cms.Decode(await response.Content.ReadAsByteArrayAsync());
        cms.CheckSignature(verifySignatureOnly: true);
        cms.SignerInfos[0].Certificate!.Thumbprint.Should().Be(leaf.Thumbprint);
        var payload = MailPayload(ParsePlist(cms.ContentInfo.Content));
        payload["IncomingMailServerUsername"].Should().Be("alice@example.com");
    }

    [Fact]
    public async Task The_MTA_STS_policy_is_served_only_on_the_policy_host_of_a_local_domain()
    {
        await using var host = await OnboardingHost.StartAsync("AccountNameOrEmailAddress", false, "--MailHost:MtaSts:Mode=enforce", "--MailHost:MtaSts:Mx=mx1.example.com, mx2.example.com");
        using var http = host.CreateHttpClient();

        using var policy = await GetWithHostAsync(http, "mta-sts.example.com");
        using var otherLocal = await GetWithHostAsync(http, "MTA-STS.example.org:8443");
        using var mailHost = await GetWithHostAsync(http, OnboardingHost.Hostname);
        using var foreign = await GetWithHostAsync(http, "mta-sts.elsewhere.net");

        policy.StatusCode.Should().Be(HttpStatusCode.OK);
        policy.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        (await policy.Content.ReadAsStringAsync()).Should().Be("version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: mx2.example.com\r\nmax_age: 604800\r\n");
        otherLocal.StatusCode.Should().Be(HttpStatusCode.OK);
        mailHost.StatusCode.Should().Be(HttpStatusCode.NotFound);
        foreign.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_MTA_STS_defaults_and_its_absence()
    {
        await using (var configured = await OnboardingHost.StartAsync("AccountNameOrEmailAddress", false, "--MailHost:MtaSts:Enabled=true"))
        {
            using var http = configured.CreateHttpClient();
            using var policy = await GetWithHostAsync(http, "mta-sts.example.com");
            (await policy.Content.ReadAsStringAsync()).Should().Be($"version: STSv1\r\nmode: testing\r\nmx: {OnboardingHost.Hostname}\r\nmax_age: 604800\r\n");
        }

        await using var unconfigured = await OnboardingHost.StartAsync();
        using var client = unconfigured.CreateHttpClient();
        using var absent = await GetWithHostAsync(client, "mta-sts.example.com");
        absent.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private static async Task<HttpResponseMessage> GetWithHostAsync(HttpClient http, string hostHeader)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/.well-known/mta-sts.txt", UriKind.Relative));
        request.Headers.Host = hostHeader;
        return await http.SendAsync(request);
    }

    private static XDocument ParsePlist(byte[] bytes)
    {
        // The plist names Apple's DTD; a reader that ignores it parses the document without fetching anything.
        using var stream = new MemoryStream(bytes);
        using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null });
        return XDocument.Load(reader);
    }

    /// <summary>The first PayloadContent dictionary as key → text (booleans as "true"/"false").</summary>
    private static Dictionary<string, string> MailPayload(XDocument plist)
    {
        var content = plist.Root!.Element("dict")!.Elements("key").Single(k => k.Value == "PayloadContent").ElementsAfterSelf().First();
        var dict = content.Element("dict")!;
        var result = new Dictionary<string, string>();
        foreach (var key in dict.Elements("key"))
        {
            var value = key.ElementsAfterSelf().First();
            result[key.Value] = value.Name.LocalName is "true" or "false" ? value.Name.LocalName : value.Value;
        }

        return result;
    }
}
