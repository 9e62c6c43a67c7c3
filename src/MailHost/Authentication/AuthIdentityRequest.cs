using System.Net;

namespace MailHost.Authentication;

/// <summary>One login to resolve, with the context it arrived in (see <see cref="IAuthIdentityResolver"/>).</summary>
/// <param name="Login">What the client typed as its login name (checked for length and control characters only).</param>
/// <param name="AuthorizationId">The SASL authzid, or <see langword="null"/>. When present it equals <paramref name="Login"/>:
/// acting as another identity is refused before resolution.</param>
/// <param name="Protocol">"IMAP", "POP3" or "SMTP".</param>
/// <param name="Mechanism">"LOGIN" (IMAP LOGIN), "USER" (POP3 USER/PASS) or the SASL mechanism name.</param>
/// <param name="RemoteEndPoint">The client's address as seen after any PROXY protocol header, when known.</param>
/// <param name="IsTls">Whether the connection is encrypted.</param>
public sealed record AuthIdentityRequest(
    string Login,
    string? AuthorizationId,
    string Protocol,
    string Mechanism,
    IPEndPoint? RemoteEndPoint,
    bool IsTls);
