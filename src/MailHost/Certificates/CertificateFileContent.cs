using System.Security.Cryptography;

namespace MailHost.Certificates;

/// <summary>
/// The bytes of a configured certificate's files as read at one moment, and a SHA-256 over them: what the reload
/// compares. Contents rather than timestamps, because a Kubernetes secret swaps a symlink (the file's own time may not
/// change), network filesystems report times coarsely, and <c>certbot renew</c> may rewrite a file within one second.
/// </summary>
internal sealed class CertificateFileContent
{
    private CertificateFileContent(byte[] certificate, byte[]? key, string version)
    {
        Certificate = certificate;
        Key = key;
        Version = version;
    }

    /// <summary>The certificate file: PEM (possibly with the key and the chain) or PKCS#12.</summary>
    public byte[] Certificate { get; }

    /// <summary>The key file, when one is configured.</summary>
    public byte[]? Key { get; }

    /// <summary>Hex SHA-256 over both files; equal versions mean equal contents.</summary>
    public string Version { get; }

    /// <summary>Reads the files of <paramref name="source"/>; a missing or unreadable file is an error value, not an exception.</summary>
    public static CertificateFileContent? TryRead(CertificateFileSource source, out string? error)
    {
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            var certificate = File.ReadAllBytes(source.Options.Path!);
            var key = string.IsNullOrWhiteSpace(source.Options.KeyPath) ? null : File.ReadAllBytes(source.Options.KeyPath);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(certificate);

            // The length first, so that moving bytes from one file to the other changes the version.
            hash.AppendData(BitConverter.GetBytes(certificate.Length));
            hash.AppendData(key ?? []);
            error = null;
            return new CertificateFileContent(certificate, key, Convert.ToHexString(hash.GetHashAndReset()));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = "cannot read it: " + ex.Message;
            return null;
        }
    }
}
