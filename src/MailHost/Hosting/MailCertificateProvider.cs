using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailHost.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MailHost.Hosting;

/// <summary>
/// The certificate served when none is configured (neither <c>MailHost:Certificate</c> nor
/// <c>MailHost:Certificates</c>): a self-signed certificate for <c>MailHost:Hostname</c> that is generated once into the
/// data directory and reused on later starts (with a warning: clients will not trust it). Configured certificates are
/// loaded and reloaded by <see cref="MailHost.Certificates.ConfiguredCertificateFiles"/>.
/// </summary>
internal sealed partial class MailCertificateProvider(IOptions<MailHostOptions> options, ILogger<MailCertificateProvider> logger)
{
    private const string SelfSignedFileName = "selfsigned-certificate.pfx";
    private readonly Lock _lock = new();
    private X509Certificate2? _certificate;

    /// <summary>Loads or generates (once) and returns the self-signed certificate.</summary>
    public X509Certificate2 GetCertificate()
    {
        lock (_lock)
        {
            return _certificate ??= Load();
        }
    }

    private X509Certificate2 Load()
    {
        var settings = options.Value;
        var path = Path.Combine(Path.GetFullPath(settings.DataDirectory), SelfSignedFileName);
        if (File.Exists(path))
        {
            try
            {
                var existing = X509CertificateLoader.LoadPkcs12FromFile(path, password: null);
                if (existing.NotAfter > DateTime.Now.AddDays(7))
                {
                    LogSelfSigned(logger, path, existing.Subject);
                    return existing;
                }

                existing.Dispose();
            }
            catch (CryptographicException ex)
            {
                LogSelfSignedUnreadable(logger, path, ex);
            }
        }

        var created = CreateSelfSigned(settings.Hostname);
        WriteOwnerOnly(path, created.Export(X509ContentType.Pkcs12));
        LogSelfSignedCreated(logger, path, settings.Hostname);
        return X509CertificateLoader.LoadPkcs12FromFile(path, password: null);
    }

    /// <summary>
    /// Writes the certificate and its private key to a new owner-only file and renames it over
    /// <paramref name="path"/>: an existing file (an expired certificate) keeps its mode when overwritten in place,
    /// which may be wider.
    /// </summary>
    private static void WriteOwnerOnly(string path, byte[] pkcs12)
    {
        OwnerOnlyFiles.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".new";
        File.Delete(temporary);
        using (var file = OwnerOnlyFiles.Create(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
        {
            file.Write(pkcs12);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>A self-signed ECDSA P-256 server certificate for <paramref name="hostname"/>, valid for two years.</summary>
    public static X509Certificate2 CreateSelfSigned(string hostname)
    {
        ArgumentException.ThrowIfNullOrEmpty(hostname);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hostname}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(hostname);
        if (hostname != "localhost")
        {
            names.AddDnsName("localhost");
        }

        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddIpAddress(System.Net.IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(2));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
    }

    [LoggerMessage(1200, LogLevel.Warning, "Using the self-signed certificate {Path} ({Subject}); clients will not trust it. Set MailHost:Certificate for a real one")]
    private static partial void LogSelfSigned(ILogger logger, string path, string subject);

    [LoggerMessage(1201, LogLevel.Warning, "Generated a self-signed certificate for {Hostname} at {Path}; clients will not trust it. Set MailHost:Certificate for a real one")]
    private static partial void LogSelfSignedCreated(ILogger logger, string path, string hostname);

    [LoggerMessage(1202, LogLevel.Warning, "The self-signed certificate {Path} is unreadable; generating a new one")]
    private static partial void LogSelfSignedUnreadable(ILogger logger, string path, Exception exception);
}
