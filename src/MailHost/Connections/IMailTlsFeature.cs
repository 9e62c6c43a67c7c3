namespace MailHost.Connections;

/// <summary>
/// STARTTLS for protocol sessions (IMAP STARTTLS, POP3 STLS, SMTP STARTTLS). Present on every connection of a
/// MailHost endpoint; <see cref="CanStartTls"/> says whether an upgrade is possible now.
/// </summary>
public interface IMailTlsFeature
{
    /// <summary>Whether STARTTLS may be offered: the endpoint allows it, a certificate exists and the connection is not yet encrypted.</summary>
    bool CanStartTls { get; }

    /// <summary>
    /// Upgrades the connection in place. Call it after the positive reply to STARTTLS has been flushed and the
    /// STARTTLS command line has been consumed from the transport's input. Every byte the client sent after that
    /// line and before the handshake is discarded (RFC 3207 §4.2, RFC 2595 §3.1: command injection), and the caller
    /// must reset its protocol state. On success <c>ConnectionContext.Transport</c> is the encrypted pipe: read and
    /// write through it from now on.
    /// </summary>
    /// <returns><see langword="false"/> when the handshake failed; the session must then end without writing.</returns>
    ValueTask<bool> StartTlsAsync(CancellationToken cancellationToken);
}
