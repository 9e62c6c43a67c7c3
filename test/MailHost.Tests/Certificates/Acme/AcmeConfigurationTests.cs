using MailHost.Hosting;
using MailHost.Server;

namespace MailHost.Tests.Certificates.Acme;

/// <summary>Unusable ACME settings stop the host at build time with the key named and the fix.</summary>
public sealed class AcmeConfigurationTests : IDisposable
{
    private const string Acme = "--MailHost:Certificates:Acme:";
    private readonly string _data = Path.Combine(Path.GetTempPath(), "mailhost-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public void Terms_of_service_not_accepted()
    {
        var error = BuildFails("--MailHost:Http:Url=http://127.0.0.1:0", Acme + "Email=postmaster@example.com");

        error.Key.Should().Be("MailHost:Certificates:Acme:AcceptTermsOfService");
        error.Message.Should().StartWith("MailHost:Certificates:Acme:AcceptTermsOfService: must be true.");
    }

    [Fact]
    public void An_empty_name()
    {
        var error = BuildFails("--MailHost:Http:Url=http://127.0.0.1:0", Acme + "AcceptTermsOfService=true", Acme + "Names:0=");

        error.Key.Should().Be("MailHost:Certificates:Acme:Names");
    }

    [Fact]
    public void No_names_and_a_host_name_that_is_not_public()
    {
        var error = BuildFails(["--MailHost:Http:Url=http://127.0.0.1:0", Acme + "AcceptTermsOfService=true"], hostname: "localhost");

        error.Key.Should().Be("MailHost:Certificates:Acme:Names");
        error.Message.Should().Contain("MailHost:Hostname ('localhost') is not a public DNS name");
    }

    [Fact]
    public void A_wildcard_without_DNS_01()
    {
        var error = BuildFails("--MailHost:Http:Url=http://127.0.0.1:0", Acme + "AcceptTermsOfService=true", Acme + "Names:0=*.example.com");

        error.Key.Should().Be("MailHost:Certificates:Acme:Names");
        error.Message.Should().Contain("only the Dns01 challenge");
    }

    [Fact]
    public void HTTP_01_without_the_HTTP_endpoint()
    {
        var error = BuildFails(Acme + "AcceptTermsOfService=true");

        error.Key.Should().Be("MailHost:Http:Url");
        error.Message.Should().Contain("ACME Http01 challenge");
    }

    [Fact]
    public void TLS_ALPN_01_without_the_HTTPS_endpoint()
    {
        var error = BuildFails("--MailHost:Http:Url=http://127.0.0.1:0", Acme + "AcceptTermsOfService=true", Acme + "Challenge=TlsAlpn01");

        error.Key.Should().Be("MailHost:Http:HttpsUrl");
    }

    [Fact]
    public void A_challenge_type_that_does_not_exist()
    {
        var error = BuildFails("--MailHost:Http:Url=http://127.0.0.1:0", Acme + "AcceptTermsOfService=true", Acme + "Challenge=Dns02");

        error.Key.Should().Be("MailHost:Certificates:Acme");
        error.Message.Should().Contain("Http01, TlsAlpn01 or Dns01");
    }

    [Fact]
    public void A_DNS_hook_that_does_not_exist()
    {
        var error = BuildFails(Acme + "AcceptTermsOfService=true", Acme + "Challenge=Dns01", Acme + "DnsHook=/nonexistent/hook.sh");

        error.Key.Should().Be("MailHost:Certificates:Acme:DnsHook");
    }

    [Fact]
    public void A_directory_that_is_not_HTTPS()
    {
        var error = BuildFails("--MailHost:Http:Url=http://127.0.0.1:0", Acme + "AcceptTermsOfService=true", Acme + "DirectoryUrl=http://acme.test/dir");

        error.Key.Should().Be("MailHost:Certificates:Acme:DirectoryUrl");
    }

    [Fact]
    public void A_valid_configuration_builds_and_the_Acme_key_is_not_taken_for_a_certificate_file()
    {
        using var app = MailHostServer.Build(Arguments(["--MailHost:Http:Url=http://127.0.0.1:0", Acme + "AcceptTermsOfService=true"], "mail.example.com"));

        app.Should().NotBeNull();
    }

    private MailHostConfigurationException BuildFails(params string[] settings) => BuildFails(settings, "mail.example.com");

    private MailHostConfigurationException BuildFails(string[] settings, string hostname)
    {
        var build = () => MailHostServer.Build(Arguments(settings, hostname));
        return build.Should().Throw<MailHostConfigurationException>().Which;
    }

    private string[] Arguments(string[] settings, string hostname) =>
    [
        "--contentRoot=" + Path.GetTempPath(),
        "--MailHost:DataDirectory=" + _data,
        "--MailHost:Admin:Url=",
        "--MailHost:Hostname=" + hostname,
        "--MailHost:Outbound:Enabled=false",
        "--MailHost:Endpoints:Imaps:Url=imaps://127.0.0.1:0",
        .. settings,
    ];
}
