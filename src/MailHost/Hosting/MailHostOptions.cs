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

    /// <summary>The server certificate. Without one the host generates a self-signed certificate once.</summary>
    public MailCertificateOptions Certificate { get; set; } = new();

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
