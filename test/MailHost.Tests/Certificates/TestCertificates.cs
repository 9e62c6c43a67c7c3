using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailHost.Tests.Certificates;

/// <summary>Server certificates made in the test (nothing checked in), and their PEM files.</summary>
internal static class TestCertificates
{
    /// <summary>A self-signed ECDSA certificate for <paramref name="dnsNames"/> (subject alternative names), valid around <paramref name="now"/>.</summary>
    public static X509Certificate2 Create(DateTimeOffset now, params string[] dnsNames) =>
        Create("CN=" + (dnsNames.FirstOrDefault() ?? "no-name.test"), dnsNames, now.AddDays(-1), now.AddDays(90));

    public static X509Certificate2 Create(string subject, IReadOnlyList<string> dnsNames, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        if (dnsNames.Count > 0)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var name in dnsNames)
            {
                names.AddDnsName(name);
            }

            request.CertificateExtensions.Add(names.Build());
        }

        using var created = request.CreateSelfSigned(notBefore, notAfter);
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), password: null);
    }

    public static string KeyPem(X509Certificate2 certificate) => certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();

    /// <summary>Writes the certificate and key as PEM, each through a temporary file renamed into place, as certbot does.</summary>
    public static void WritePem(X509Certificate2 certificate, string certificatePath, string keyPath)
    {
        Replace(certificatePath, certificate.ExportCertificatePem());
        Replace(keyPath, KeyPem(certificate));
    }

    public static void Replace(string path, string text)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
