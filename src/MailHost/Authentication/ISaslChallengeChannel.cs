namespace MailHost.Authentication;

/// <summary>
/// How <see cref="SaslAuthenticator"/> talks to the client during an exchange. Each protocol session implements it:
/// IMAP and POP3 write <c>+ </c>, SMTP writes <c>334 </c>, followed by the challenge and CRLF.
/// </summary>
internal interface ISaslChallengeChannel
{
    /// <summary>Writes one challenge line and flushes it.</summary>
    /// <param name="base64Challenge">The challenge, already base64-encoded (ASCII; may be empty).</param>
    /// <param name="ct">Cancels the write.</param>
    ValueTask SendChallengeAsync(ReadOnlyMemory<byte> base64Challenge, CancellationToken ct);

    /// <summary>
    /// Reads the client's next line, without its CRLF. The returned memory need only stay valid until the next call.
    /// A line longer than <see cref="MailHost.Protocols.Sasl.SaslWireFormat.MaxResponseLength"/> may be returned cut
    /// to any length above that limit (the rest of the line discarded): it is refused as too long either way.
    /// </summary>
    /// <exception cref="IOException">The connection closed; the exception propagates to the session.</exception>
    ValueTask<ReadOnlyMemory<byte>> ReadResponseAsync(CancellationToken ct);
}
