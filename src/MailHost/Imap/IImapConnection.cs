using MailHost.Connections;
using MailHost.Protocols.Imap;
using MailHost.Sessions;

namespace MailHost.Imap;

/// <summary>
/// What a few commands need of the connection beyond writing responses, and nothing more: STARTTLS and COMPRESS
/// change the transport under the session, AUTHENTICATE and IDLE read client lines that are not commands. Every other
/// handler reaches the client only through the session's <see cref="ImapResponseWriter"/> and <see cref="ImapOutput"/>.
/// </summary>
internal interface IImapConnection
{
    /// <summary>Whether STARTTLS may be offered now (RFC 9051 §6.2.1).</summary>
    bool CanStartTls { get; }

    /// <summary>Whether COMPRESS=DEFLATE is active (RFC 4978).</summary>
    bool IsCompressed { get; }

    /// <summary>
    /// Upgrades the connection to TLS (see <see cref="IMailTlsFeature.StartTlsAsync"/>); <paramref name="sendReady"/>
    /// writes and flushes the tagged OK. Once started, nothing read before the handshake survives: the parser and the
    /// session's input and output are reset onto the encrypted transport (SECURITY A1-A3).
    /// </summary>
    ValueTask<StartTlsOutcome> StartTlsAsync(Func<ValueTask> sendReady);

    /// <summary>
    /// Compresses both directions from now on (RFC 4978 §4). Call it once the tagged OK has been flushed: the client
    /// starts compressing after it has read that OK.
    /// </summary>
    void StartCompression();

    /// <summary>
    /// Reads one line of an AUTHENTICATE exchange (RFC 9051 §6.2.2) into <paramref name="line"/>, base64-decoded, and
    /// traces it redacted. <see cref="ImapLineOutcome.Line"/> with its length, <see cref="ImapLineOutcome.Error"/> with
    /// the parser's error (nothing written yet), or how the read ended.
    /// </summary>
    ValueTask<(ImapLineOutcome Outcome, int Length, ImapParseError? Error)> ReadAuthenticateResponseAsync(
        string tag, byte[] line, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the <c>DONE</c> that ends IDLE (RFC 2177 §3); <see cref="ImapLineOutcome.Line"/> once it came. Never
    /// flushes: the IDLE handler owns the output meanwhile.
    /// </summary>
    Task<(ImapLineOutcome Outcome, ImapParseError? Error)> ReadIdleDoneAsync(string tag, CancellationToken cancellationToken);

    /// <summary>Counts the session, ended by the server stopping, for the stop's summary line.</summary>
    void RecordShutdown(MailShutdownOutcome outcome);
}
