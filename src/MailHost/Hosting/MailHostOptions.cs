namespace MailHost.Hosting;

/// <summary>Server-wide settings (configuration section <c>MailHost</c>).</summary>
public sealed class MailHostOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "MailHost";

    /// <summary>The server's own host name: greetings, Received headers, the self-signed certificate.</summary>
    public string Hostname { get; set; } = "localhost";

    /// <summary>Where the embedded store keeps its files; relative paths are under the current directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// The default server certificate (<c>MailHost:Certificate</c>): served to clients that send no server name (SNI)
    /// or one no certificate of <see cref="Certificates"/> serves. Without it the first of <see cref="Certificates"/> by
    /// name is the default, and without either the host generates a self-signed certificate once.
    /// </summary>
    public MailCertificateOptions Certificate { get; set; } = new();

    /// <summary>
    /// More server certificates, by a name of the operator's choice (<c>MailHost:Certificates:&lt;name&gt;</c>), chosen by
    /// the server name a client asks for (SNI, RFC 6066 §3) among the DNS names of each certificate's subject alternative
    /// names: an exact name first, then a wildcard (<c>*.example.com</c> matches one label, RFC 6125 §6.4.3), then the
    /// default. The name <c>default</c> is reserved.
    /// </summary>
    public IDictionary<string, MailCertificateOptions> Certificates { get; } = new Dictionary<string, MailCertificateOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// How often the configured certificate files are read again (<c>MailHost:CertificateReloadInterval</c>, default
    /// 30 s; <c>0</c> turns reloading off). Changed contents are served from the next handshake on; contents that cannot
    /// serve (a bad PEM, a key of another certificate, an expired certificate) are logged and the old certificate kept.
    /// </summary>
    public TimeSpan CertificateReloadInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How per-client limits group client addresses (<c>MailHost:Limits</c>).</summary>
    public MailLimitsOptions Limits { get; set; } = new();

    /// <summary>
    /// How long a graceful stop lets a transfer in progress (SMTP DATA or BDAT, IMAP APPEND) and a command being
    /// executed finish (<c>MailHost:ShutdownTimeout</c>, default 30 s). Idle sessions get the protocol's shutdown reply
    /// at once; what has not finished by then is cut without an acknowledgement. <c>0</c> cuts transfers at once.
    /// </summary>
    /// <remarks>
    /// The host's own <c>HostOptions.ShutdownTimeout</c> is raised to this plus a few seconds when it was left at its
    /// default, so the host does not abort the connections first; a value the application set itself is kept.
    /// </remarks>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
