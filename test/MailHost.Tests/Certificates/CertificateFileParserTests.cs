using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailHost.Certificates;
using MailHost.Hosting;

namespace MailHost.Tests.Certificates;

/// <summary>The file formats a configured certificate may come in, with its chain.</summary>
public sealed class CertificateFileParserTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mailhost-tests", Guid.NewGuid().ToString("N"));
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public CertificateFileParserTests() => Directory.CreateDirectory(_directory);

    private CertificateEntry Parse(MailCertificateOptions options)
    {
        var source = new CertificateFileSource("t", "MailHost:Certificates:t", options);
        var content = CertificateFileContent.TryRead(source, out var readError);
        content.Should().NotBeNull(readError);
        var entry = CertificateFileParser.TryParse(source, content, _now, out var error);
        entry.Should().NotBeNull(error);
        return entry;
    }

    /// <summary>
    /// A leaf for mail.chain.example issued by an intermediate of a root, all made here: the intermediate is what a
    /// server must send (RFC 8446 §4.4.2); a self-signed root is left out by SslStream.
    /// </summary>
    private (X509Certificate2 Leaf, X509Certificate2 Intermediate, X509Certificate2 Root) IssuedChain()
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var root = CaRequest("CN=Test Root", rootKey).CreateSelfSigned(_now.AddDays(-3), _now.AddDays(300));
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var intermediatePublic = CaRequest("CN=Test Intermediate", intermediateKey).Create(root, _now.AddDays(-2), _now.AddDays(200), [5, 6, 7, 8]);
        using var intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=mail.chain.example", leafKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("mail.chain.example");
        leafRequest.CertificateExtensions.Add(names.Build());
        using var issued = leafRequest.Create(intermediate, _now.AddDays(-1), _now.AddDays(90), [1, 2, 3, 4]);
        var leaf = issued.CopyWithPrivateKey(leafKey);
        return (leaf, X509CertificateLoader.LoadCertificate(intermediate.RawData), X509CertificateLoader.LoadCertificate(root.RawData));
    }

    private static CertificateRequest CaRequest(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    [Fact]
    public void A_full_chain_PEM_with_a_key_file_sends_its_intermediate()
    {
        var (leaf, issuer, root) = IssuedChain();
        File.WriteAllText(Path.Combine(_directory, "fullchain.pem"), leaf.ExportCertificatePem() + "\n" + issuer.ExportCertificatePem() + "\n" + root.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_directory, "privkey.pem"), TestCertificates.KeyPem(leaf));

        var entry = Parse(new MailCertificateOptions { Path = Path.Combine(_directory, "fullchain.pem"), KeyPath = Path.Combine(_directory, "privkey.pem") });

        entry.Certificate.Thumbprint.Should().Be(leaf.Thumbprint);
        entry.Certificate.HasPrivateKey.Should().BeTrue();
        entry.Context.IntermediateCertificates.Select(c => c.Thumbprint).Should().Contain(issuer.Thumbprint);
    }

    [Fact]
    public void One_PEM_holding_certificate_and_key_needs_no_key_file()
    {
        var certificate = TestCertificates.Create(_now, "mail.one.example");
        File.WriteAllText(Path.Combine(_directory, "both.pem"), certificate.ExportCertificatePem() + "\n" + TestCertificates.KeyPem(certificate));

        var entry = Parse(new MailCertificateOptions { Path = Path.Combine(_directory, "both.pem") });

        entry.DnsNames.Should().Equal("mail.one.example");
        entry.Certificate.HasPrivateKey.Should().BeTrue();
    }

    [Fact]
    public void A_PFX_with_a_password_and_its_chain_is_read()
    {
        var (leaf, issuer, root) = IssuedChain();
        var collection = new X509Certificate2Collection { leaf, issuer, root };
        File.WriteAllBytes(Path.Combine(_directory, "server.pfx"), collection.Export(X509ContentType.Pkcs12, "pfx-pw")!);

        var entry = Parse(new MailCertificateOptions { Path = Path.Combine(_directory, "server.pfx"), Password = "pfx-pw" });

        entry.Certificate.Thumbprint.Should().Be(leaf.Thumbprint);
        entry.Context.IntermediateCertificates.Select(c => c.Thumbprint).Should().Contain(issuer.Thumbprint);
    }

    [Fact]
    public void Equal_contents_have_equal_versions_and_a_changed_key_changes_it()
    {
        var certificate = TestCertificates.Create(_now, "v.example");
        var options = new MailCertificateOptions { Path = Path.Combine(_directory, "c.pem"), KeyPath = Path.Combine(_directory, "k.pem") };
        var source = new CertificateFileSource("v", "k", options);
        TestCertificates.WritePem(certificate, options.Path, options.KeyPath);
        var first = CertificateFileContent.TryRead(source, out _)!.Version;

        File.SetLastWriteTimeUtc(options.Path, DateTime.UtcNow.AddHours(1));
        CertificateFileContent.TryRead(source, out _)!.Version.Should().Be(first, "the version is the contents, not the time");
        File.WriteAllText(options.KeyPath, TestCertificates.KeyPem(TestCertificates.Create(_now, "w.example")), Encoding.ASCII);

        CertificateFileContent.TryRead(source, out _)!.Version.Should().NotBe(first);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
