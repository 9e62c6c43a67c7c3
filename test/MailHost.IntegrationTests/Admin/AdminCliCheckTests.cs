using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using MailHost.Dns;
using MailHost.Server.Admin;
using MailHost.Tests.Delivery;
using Microsoft.Extensions.Configuration;

namespace MailHost.IntegrationTests.Admin;

/// <summary>
/// <c>mailhost domains check</c> through the admin command line, in process, with the fake DNS zone given to
/// <see cref="AdminCli"/> in place of the system's name servers.
/// </summary>
public sealed partial class AdminCliCheckTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "mailhost-check-" + Guid.NewGuid().ToString("N"));
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private readonly FakeDnsZone _zone = new();

    public AdminCliCheckTests()
    {
        var v4 = IPAddress.Parse("192.0.2.10");
        _zone.Mx["example.com"] = [new DnsMxRecord(10, "mail.example.com")];
        _zone.Addresses["mail.example.com"] = [v4];
        _zone.Reverse[v4] = ["mail.example.com"];
        _zone.Txt["example.com"] = ["v=spf1 mx -all"];
        _zone.Txt["_dmarc.example.com"] = ["v=DMARC1; p=quarantine; rua=mailto:postmaster@example.com"];
        _zone.Txt["_mta-sts.example.com"] = ["v=STSv1; id=1"];
        _zone.Txt["_smtp._tls.example.com"] = ["v=TLSRPTv1; rua=mailto:postmaster@example.com"];
        _zone.Srv["_imaps._tcp.example.com"] = [new DnsSrvRecord(0, 1, 993, "mail.example.com")];
        _zone.Srv["_submission._tcp.example.com"] = [new DnsSrvRecord(0, 1, 587, "mail.example.com")];
        _zone.Cname["autoconfig.example.com"] = ["mail.example.com"];
        _zone.Cname["autodiscover.example.com"] = ["mail.example.com"];
    }

    public void Dispose()
    {
        _timeout.Dispose();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task A_correct_domain_prints_only_OK_lines_and_exits_0()
    {
        await PublishDkimAsync();

        var result = await RunAsync("domains", "check", "example.com");

        result.ExitCode.Should().Be(AdminCli.ExitSuccess, result.Out);
        result.Err.Should().BeEmpty();
        var lines = result.Out.TrimEnd('\n').Split('\n');
        lines[0].Should().Be("Checking example.com for this host (mail.example.com):");
        lines[1..^1].Should().OnlyContain(l => l.StartsWith("OK   ", StringComparison.Ordinal));
        lines[1].Should().Be("OK   MX       example.com MX 10 mail.example.com");
        lines[^1].Should().Be("15 OK, 0 WARN, 0 FAIL");
    }

    [Fact]
    public async Task An_unpublished_DKIM_key_fails_with_the_line_domains_dkim_show_prints_and_exits_2()
    {
        await RunAsync("domains", "add", "example.com");
        await RunAsync("domains", "dkim", "example.com");
        var shown = (await RunAsync("domains", "dkim", "example.com", "--show")).Out.Split('\n')[2];

        var result = await RunAsync("domains", "check", "example.com");

        result.ExitCode.Should().Be(AdminCli.ExitFailure);
        var lines = result.Out.Split('\n');
        var dkim = Array.FindIndex(lines, l => l.StartsWith("FAIL DKIM", StringComparison.Ordinal));
        dkim.Should().BePositive(result.Out);
        lines[dkim + 1].Should().Be("              " + shown);
        result.Out.Should().EndWith("14 OK, 0 WARN, 1 FAIL\n");
    }

    [Fact]
    public async Task Only_warnings_exit_0_with_the_count_in_the_summary()
    {
        await PublishDkimAsync();
        _zone.Txt.Remove("_smtp._tls.example.com");

        var result = await RunAsync("domains", "check", "example.com");

        result.ExitCode.Should().Be(AdminCli.ExitSuccess);
        result.Out.Should().Contain("WARN TLS-RPT  _smtp._tls.example.com has no v=TLSRPTv1 record")
            .And.Contain("\n              _smtp._tls.example.com. IN TXT \"v=TLSRPTv1; rua=mailto:postmaster@example.com\"\n")
            .And.EndWith("14 OK, 1 WARN, 0 FAIL\n");
    }

    [Fact]
    public async Task A_domain_that_is_not_local_is_refused()
    {
        await RunAsync("domains", "add", "example.com");

        var result = await RunAsync("domains", "check", "example.org");

        result.ExitCode.Should().Be(AdminCli.ExitFailure);
        result.Err.Should().Contain("Domain 'example.org' is not a local domain");
    }

    [Fact]
    public async Task The_usage_text_lists_the_command()
    {
        var result = await RunAsync("help");

        result.Out.Should().Contain("  domains check <domain>  ");
    }

    private async Task PublishDkimAsync()
    {
        await RunAsync("domains", "add", "example.com");
        var created = await RunAsync("domains", "dkim", "example.com", "--algorithm", "ed25519", "--selector", "sel");
        var match = RecordLine().Match(created.Out);
        match.Success.Should().BeTrue(created.Out);
        _zone.Txt["sel._domainkey.example.com"] = [match.Groups[1].Value];
    }

    private Task<CliResult> RunAsync(params string[] args)
    {
        var certificatePath = WriteCertificate();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["MailHost:DataDirectory"] = _dataDirectory,
                ["MailHost:Hostname"] = "mail.example.com",
                ["MailHost:Certificate:Path"] = certificatePath,
                ["MailHost:Endpoints:Smtp:Url"] = "smtp://*:25",
                ["MailHost:Endpoints:Imaps:Url"] = "imaps://*:993",
                ["MailHost:Endpoints:Submission:Url"] = "submission://*:587",
            })
            .Build();
        return RunAsync(args, configuration);
    }

    private async Task<CliResult> RunAsync(string[] args, IConfiguration configuration)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        using var input = new StringReader(string.Empty);
        var exitCode = await AdminCli.RunAsync(args, configuration, output, error, input, _zone, _timeout.Token).WaitAsync(TimeSpan.FromSeconds(60));
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>A PFX for mail.example.com issued by a throwaway authority, valid for 90 days from now.</summary>
    private string WriteCertificate()
    {
        var path = Path.Combine(_dataDirectory + "-cert", "server.pfx");
        if (File.Exists(path))
        {
            return path;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var now = DateTimeOffset.UtcNow;
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest("CN=Test Authority", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var authority = authorityRequest.CreateSelfSigned(now.AddDays(-2), now.AddDays(91));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=mail.example.com", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("mail.example.com");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.Create(authority, now.AddDays(-1), now.AddDays(90), [5, 6, 7, 8]);
        using var withKey = certificate.CopyWithPrivateKey(key);
        File.WriteAllBytes(path, withKey.Export(X509ContentType.Pkcs12));
        return path;
    }

    // The TXT text of the record line `domains dkim` prints (an Ed25519 record fits one string).
    [GeneratedRegex("""^sel\._domainkey\.example\.com\. IN TXT "([^"]+)"$""", RegexOptions.Multiline)]
    private static partial Regex RecordLine();

    private sealed record CliResult(int ExitCode, string Out, string Err);
}
