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
}
