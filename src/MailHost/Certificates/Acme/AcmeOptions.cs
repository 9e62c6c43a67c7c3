namespace MailHost.Certificates.Acme;

/// <summary>
/// The built-in ACME client (RFC 8555), configuration section <c>MailHost:Certificates:Acme</c>: one certificate for
/// <see cref="Names"/>, obtained at start when none is stored, renewed at two thirds of its lifetime.
/// </summary>
public sealed class AcmeOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "MailHost:Certificates:Acme";

    /// <summary>Let's Encrypt's production directory, the default.</summary>
    public const string LetsEncryptDirectoryUrl = "https://acme-v02.api.letsencrypt.org/directory";

    /// <summary>The ACME server's directory URL (RFC 8555 §7.1.1); HTTPS only.</summary>
    public string DirectoryUrl { get; set; } = LetsEncryptDirectoryUrl;

    /// <summary>The account's contact address (optional; Let's Encrypt writes to it about problems with the account).</summary>
    public string? Email { get; set; }

    /// <summary>
    /// That the operator agrees to the ACME server's terms of service (RFC 8555 §7.3, <c>termsOfServiceAgreed</c>).
    /// Must be true: the server refuses accounts without it, and MailHost does not agree on the operator's behalf.
    /// </summary>
    public bool AcceptTermsOfService { get; set; }

    /// <summary>The DNS names of the certificate; empty means <c>MailHost:Hostname</c> alone. The first one names it.</summary>
    public IList<string> Names { get; } = [];

    /// <summary>How control of the names is shown (<see cref="AcmeChallengeType.Http01"/> by default).</summary>
    public AcmeChallengeType Challenge { get; set; } = AcmeChallengeType.Http01;

    /// <summary>
    /// For <see cref="AcmeChallengeType.Dns01"/>: a script called as <c>SCRIPT set|clear _acme-challenge.NAME VALUE</c>;
    /// exit code 0 means done, anything else fails the attempt with the script's standard error logged.
    /// </summary>
    public string? DnsHook { get; set; }

    /// <summary>
    /// For tests only: a PEM file of a root certificate trusted, besides the system's roots, for the ACME server's own
    /// HTTPS (a test ACME server such as Pebble serves its directory with a certificate of its own making). Production
    /// servers have publicly trusted certificates, so leave it unset.
    /// </summary>
    public string? DirectoryCertificate { get; set; }
}
