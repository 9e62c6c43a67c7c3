using System.Security.Cryptography;
using System.Text;
using MailHost.Storage;

namespace MailHost.Certificates.Acme;

/// <summary>
/// Where ACME keeps its keys and certificates: <c>DATA/acme/SERVER/</c>, one folder per ACME server (its host and port,
/// so a switch from a staging to a production directory starts afresh), holding <c>account.key</c> (the account's
/// private key) and <c>NAME.pem</c> per certificate (its private key and chain). Directories are created 0700 and files
/// 0600 from their first byte (<see cref="OwnerOnlyFiles"/>); a file is replaced by writing a new one and renaming it.
/// </summary>
internal sealed class AcmeCertificateFiles
{
    public AcmeCertificateFiles(string dataDirectory, string directoryUrl)
    {
        var server = new Uri(directoryUrl);
        var folder = server.IsDefaultPort ? server.Host : server.Host + "_" + server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Directory = Path.Combine(Path.GetFullPath(dataDirectory), "acme", folder);
    }

    /// <summary>The folder of this ACME server's files.</summary>
    public string Directory { get; }

    public string AccountKeyPath => Path.Combine(Directory, "account.key");

    /// <summary>The file of the certificate named after its first DNS name.</summary>
    public string CertificatePath(string name) => Path.Combine(Directory, name.Replace('*', '_') + ".pem");

    /// <summary>The stored account key, or a new one, written before it is first used.</summary>
    /// <exception cref="CryptographicException">The stored key is unreadable (the file is left for the operator).</exception>
    public AcmeAccountKey LoadOrCreateAccountKey()
    {
        if (File.Exists(AccountKeyPath))
        {
            return AcmeAccountKey.FromPem(File.ReadAllText(AccountKeyPath));
        }

        var key = AcmeAccountKey.Create();
        WriteOwnerOnly(AccountKeyPath, key.ExportPem());
        return key;
    }

    /// <summary>The stored certificate called <paramref name="name"/>; null with <paramref name="error"/> when there is none or it is unreadable.</summary>
    public AcmeIssuedCertificate? TryLoadCertificate(string name, out string? error)
    {
        var path = CertificatePath(name);
        if (!File.Exists(path))
        {
            error = "none stored";
            return null;
        }

        try
        {
            error = null;
            return AcmeIssuedCertificate.FromPem(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            error = ex.Message;
            return null;
        }
    }

    public void SaveCertificate(string name, AcmeIssuedCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        WriteOwnerOnly(CertificatePath(name), certificate.ToPem());
    }

    /// <summary>Writes <paramref name="text"/> to a new owner-only file and renames it over <paramref name="path"/>.</summary>
    private void WriteOwnerOnly(string path, string text)
    {
        OwnerOnlyFiles.CreateDirectory(Directory);
        var temporary = path + ".new";
        File.Delete(temporary);
        using (var file = OwnerOnlyFiles.Create(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
        {
            file.Write(Encoding.ASCII.GetBytes(text));
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
