using System.Net;

namespace MailHost.Authentication;

/// <summary>
/// The connection-level facts an authentication attempt needs. A session creates one per connection and updates
/// it as it learns more (TLS after STARTTLS, the client's name from IMAP ID or EHLO).
/// </summary>
internal sealed class AuthenticationContext
{
    /// <summary>Protocol name for IMAP sessions.</summary>
    public const string Imap = "IMAP";

    /// <summary>Protocol name for POP3 sessions.</summary>
    public const string Pop3 = "POP3";

    /// <summary>Protocol name for SMTP sessions.</summary>
    public const string Smtp = "SMTP";

    /// <summary>Creates a context for one connection.</summary>
    /// <param name="protocol"><see cref="Imap"/>, <see cref="Pop3"/> or <see cref="Smtp"/>.</param>
    /// <param name="remoteEndPoint">The client's address as seen after any PROXY protocol header, when known.</param>
    /// <param name="isTls">Whether the connection is encrypted now.</param>
    public AuthenticationContext(string protocol, IPEndPoint? remoteEndPoint, bool isTls)
    {
        ArgumentException.ThrowIfNullOrEmpty(protocol);
        Protocol = protocol;
        RemoteEndPoint = remoteEndPoint;
        IsTls = isTls;
    }

    /// <summary>"IMAP", "POP3" or "SMTP".</summary>
    public string Protocol { get; }

    /// <summary>The client's address, when known.</summary>
    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>Whether the connection is encrypted; the session sets it after STARTTLS.</summary>
    public bool IsTls { get; set; }

    /// <summary>
    /// The endpoint's own <c>AllowPlaintextAuthentication</c>, which wins over
    /// <see cref="AuthenticationOptions.AllowPlaintextAuthentication"/> when set (an endpoint behind a TLS-terminating
    /// proxy); null to use the global setting.
    /// </summary>
    public bool? AllowPlaintextAuthentication { get; init; }

    /// <summary>The client's own name (IMAP ID "name", EHLO argument), recorded in the login history.</summary>
    public string? ClientName { get; set; }

    /// <summary>
    /// The mechanism of the current or last attempt, set by the authenticators: "LOGIN" for IMAP LOGIN, "USER" for
    /// POP3 USER/PASS, otherwise the SASL mechanism name.
    /// </summary>
    public string? Mechanism { get; internal set; }
}
