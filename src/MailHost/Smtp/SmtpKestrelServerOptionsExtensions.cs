using System.Diagnostics.CodeAnalysis;
using System.Net;
using MailHost.Hosting;
using MailHost.Smtp;

// Extension methods live in the namespace of the type they extend.
namespace Microsoft.AspNetCore.Server.Kestrel.Core;

/// <summary>SMTP endpoints in code.</summary>
[SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their first parameter (a port or an IPEndPoint), so no call is ambiguous; they ship together, as Kestrel's own Listen methods do.")]
public static class SmtpKestrelServerOptionsExtensions
{
    /// <summary>Listens for mail from other servers (MX) on every address at <paramref name="port"/>, usually 25.</summary>
    public static KestrelServerOptions ListenSmtp(this KestrelServerOptions kestrel, int port, Action<MailEndpointOptions>? configure = null)
        => kestrel.ListenSmtp(new IPEndPoint(IPAddress.IPv6Any, port), configure);

    /// <summary>Listens for mail from other servers (MX) on <paramref name="endpoint"/>.</summary>
    public static KestrelServerOptions ListenSmtp(this KestrelServerOptions kestrel, IPEndPoint endpoint, Action<MailEndpointOptions>? configure = null)
        => kestrel.ListenMail<SmtpConnectionHandler>(endpoint, MailProtocol.Smtp, configure);

    /// <summary>
    /// Listens for message submission (RFC 6409) on every address at <paramref name="port"/>: 587 with
    /// <see cref="MailTlsMode.StartTls"/> or <see cref="MailTlsMode.Auto"/>, 465 with <see cref="MailTlsMode.Implicit"/> (RFC 8314).
    /// </summary>
    public static KestrelServerOptions ListenSubmission(this KestrelServerOptions kestrel, int port, Action<MailEndpointOptions>? configure = null)
        => kestrel.ListenSubmission(new IPEndPoint(IPAddress.IPv6Any, port), configure);

    /// <summary>Listens for message submission on <paramref name="endpoint"/>.</summary>
    public static KestrelServerOptions ListenSubmission(this KestrelServerOptions kestrel, IPEndPoint endpoint, Action<MailEndpointOptions>? configure = null)
        => kestrel.ListenMail<SmtpConnectionHandler>(endpoint, MailProtocol.Submission, configure);
}
