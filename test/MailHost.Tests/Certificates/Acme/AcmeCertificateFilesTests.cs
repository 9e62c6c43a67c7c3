using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailHost.Certificates.Acme;

namespace MailHost.Tests.Certificates.Acme;

/// <summary>Where ACME keys and certificates are kept, and that only the server's account can read them.</summary>
public sealed class AcmeCertificateFilesTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "mailhost-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public void Each_ACME_server_has_a_folder_of_its_own()
    {
        new AcmeCertificateFiles(_data, "https://acme-v02.api.letsencrypt.org/directory").Directory
            .Should().Be(Path.Combine(_data, "acme", "acme-v02.api.letsencrypt.org"));
        new AcmeCertificateFiles(_data, "https://127.0.0.1:14000/dir").Directory
            .Should().Be(Path.Combine(_data, "acme", "127.0.0.1_14000"));
    }

    [Fact]
    public void The_account_key_is_created_once_and_read_back()
    {
        var files = new AcmeCertificateFiles(_data, "https://acme.test/directory");

        using var created = files.LoadOrCreateAccountKey();
        using var loaded = files.LoadOrCreateAccountKey();

        loaded.Thumbprint.Should().Be(created.Thumbprint);
    }

    [Fact]
    public void A_certificate_is_stored_with_its_key_and_chain_and_read_back()
    {
        var files = new AcmeCertificateFiles(_data, "https://acme.test/directory");
        var issued = Issue("mail.example.org", "autoconfig.example.org");

        files.SaveCertificate("mail.example.org", issued);
        var loaded = files.TryLoadCertificate("mail.example.org", out var error);

        error.Should().BeNull();
        loaded!.Certificate.Thumbprint.Should().Be(issued.Certificate.Thumbprint);
        loaded.Certificate.HasPrivateKey.Should().BeTrue();
        loaded.Intermediates.Should().ContainSingle().Which.Thumbprint.Should().Be(issued.Intermediates[0].Thumbprint);
        loaded.Covers(["mail.example.org", "AUTOCONFIG.example.org."]).Should().BeTrue();
        loaded.Covers(["mail.example.org", "mta-sts.example.org"]).Should().BeFalse();
        files.TryLoadCertificate("other.example.org", out var missing).Should().BeNull();
        missing.Should().Be("none stored");
    }

    [Fact]
    public void Files_are_0600_and_directories_0700()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var files = new AcmeCertificateFiles(_data, "https://acme.test/directory");
        using var key = files.LoadOrCreateAccountKey();
        files.SaveCertificate("mail.example.org", Issue("mail.example.org"));

        File.GetUnixFileMode(files.AccountKeyPath).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(files.CertificatePath("mail.example.org")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(files.Directory).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.GetUnixFileMode(Path.GetDirectoryName(files.Directory)!).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.GetFiles(files.Directory).Should().NotContain(f => f.EndsWith(".new", StringComparison.Ordinal), "a file is renamed into place");
    }

    /// <summary>A leaf for <paramref name="names"/> signed by a throwaway intermediate, as an ACME server's chain.</summary>
    private static AcmeIssuedCertificate Issue(params string[] names)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Test Intermediate", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + names[0], key, HashAlgorithmName.SHA256);
        var alternativeNames = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            alternativeNames.AddDnsName(name);
        }

        request.CertificateExtensions.Add(alternativeNames.Build());
        using var leaf = request.Create(ca, now.AddMinutes(-5), now.AddDays(20), [1, 2, 3, 4]);
        return AcmeIssuedCertificate.FromChain(leaf.ExportCertificatePem() + "\n" + ca.ExportCertificatePem(), key);
    }
}
