namespace MailHost.Hosting;

/// <summary>Where the server certificate comes from (<c>MailHost:Certificate</c>).</summary>
public sealed class MailCertificateOptions
{
    /// <summary>A PEM certificate (with chain) or a PFX/PKCS#12 file.</summary>
    public string? Path { get; set; }

    /// <summary>The PEM private key, when <see cref="Path"/> is a PEM certificate.</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of a PFX file or of an encrypted PEM key.</summary>
    public string? Password { get; set; }
}
