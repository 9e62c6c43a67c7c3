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
    /// Upgrades the connection in place. Call it once the STARTTLS command line has been consumed from the
    /// transport's input, before any reply to it. Every byte the client sent after that line is discarded first
    /// (RFC 3207 §4.2, RFC 2595 §3.1: command injection); then <paramref name="sendReady"/> writes and flushes the
    /// positive reply, and the handshake reads what follows it. In that order, a client that starts its handshake
    /// the moment it reads the reply never loses its ClientHello to the discard. The caller must reset its protocol
    /// state. On success <c>ConnectionContext.Transport</c> is the encrypted pipe: read and write through it from now on.
    /// </summary>
    /// <param name="sendReady">Writes and flushes the positive reply (220, OK, +OK) on the plain transport.</param>
    /// <param name="cancellationToken">Cancels the handshake.</param>
    /// <returns>
    /// <see cref="StartTlsOutcome.Started"/>; <see cref="StartTlsOutcome.Unavailable"/> when TLS cannot start now
    /// (nothing was sent: answer with a temporary error); <see cref="StartTlsOutcome.Failed"/> when the handshake
    /// failed after the reply (end the session without writing).
    /// </returns>
    ValueTask<StartTlsOutcome> StartTlsAsync(Func<ValueTask> sendReady, CancellationToken cancellationToken);
}
