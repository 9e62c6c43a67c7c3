using System.Security.Cryptography.X509Certificates;
using MailHost.Server.DnsCheck;
using Microsoft.Extensions.Configuration;

namespace MailHost.Tests.DnsCheck;

public sealed class ServedCertificateTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mailhost-servedcert-" + Guid.NewGuid().ToString("N"));

    public ServedCertificateTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Without_a_configured_certificate_the_generated_one_is_served()
        => ServedCertificate.Load(Configuration([]), CorrectDomain.Hostname).Should().Be(ServedCertificate.Generated);

    [Fact]
    public void The_certificate_whose_names_cover_the_hostname_is_chosen_as_SNI_would()
    {
        var configuration = Configuration(new()
        {
            ["MailHost:Certificate:Path"] = WritePfx("www.example.com"),
            ["MailHost:Certificates:mail:Path"] = WritePfx(CorrectDomain.Hostname),
        });

        using var served = ServedCertificate.Load(configuration, CorrectDomain.Hostname).Certificate;

        served!.MatchesHostname(CorrectDomain.Hostname).Should().BeTrue();
    }

    [Fact]
    public void A_missing_file_is_a_problem_that_names_the_key()
    {
        var served = ServedCertificate.Load(Configuration(new() { ["MailHost:Certificate:Path"] = Path.Combine(_directory, "absent.pem") }), CorrectDomain.Hostname);

        served.Certificate.Should().BeNull();
        served.Problem.Should().StartWith("MailHost:Certificate:Path: the file '").And.EndWith("absent.pem' does not exist");
    }

    private static IConfiguration Configuration(Dictionary<string, string?> settings) => new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

    private string WritePfx(string dnsName)
    {
        var now = DateTimeOffset.UtcNow;
        using var certificate = CorrectDomain.IssueCertificate(dnsName, now.AddDays(-1), now.AddDays(30)).Certificate!;
        var path = Path.Combine(_directory, dnsName + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12));
        return path;
    }
}
