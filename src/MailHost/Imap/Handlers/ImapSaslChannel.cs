using MailHost.Authentication;
using MailHost.Protocols.Imap;
using MailHost.Protocols.Sasl;

namespace MailHost.Imap.Handlers;

/// <summary>
/// AUTHENTICATE's side of a SASL exchange (RFC 9051 §6.2.2): challenges are <c>+ base64</c>; each client answer is
/// one line, <c>*</c> cancels. The client has as long to answer as before login.
/// </summary>
internal sealed class ImapSaslChannel(ImapSessionState session, IImapConnection connection, TimeProvider timeProvider, string tag) : ISaslChallengeChannel
{
    private readonly byte[] _line = new byte[SaslWireFormat.MaxResponseLength];

    /// <summary>The exchange ended without a response for the authenticator: the channel has answered the client.</summary>
    public bool Failed { get; private set; }

    /// <summary>With <see cref="Failed"/>: the connection is to close.</summary>
    public bool Close { get; private set; }

    public async ValueTask SendChallengeAsync(ReadOnlyMemory<byte> base64Challenge, CancellationToken ct)
    {
        session.Writer.WriteRaw("+ "u8);
        session.Writer.WriteRaw(base64Challenge.Span);
        session.Writer.WriteCrlf();
        await session.Output.FlushAsync().ConfigureAwait(false);
    }

    public async ValueTask<ReadOnlyMemory<byte>> ReadResponseAsync(CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(session.Connection.Endpoint.PreAuthenticationIdleTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, ct);
        var (outcome, length, error) = await connection.ReadAuthenticateResponseAsync(tag, _line, linked.Token).ConfigureAwait(false);
        switch (outcome)
        {
            case ImapLineOutcome.Line:
                return _line.AsMemory(0, length);
            case ImapLineOutcome.Error:
                session.Writer.WriteError(error!);
                return Fail(error!.Resync == ImapResync.Close);
            case ImapLineOutcome.TimedOut or ImapLineOutcome.Stopping:
                session.Writer.WriteUntagged(ImapResponseStatus.Bye, null, "Autologout; idle for too long");
                return Fail(close: true);
            default:
                return Fail(close: true);
        }
    }

    private ReadOnlyMemory<byte> Fail(bool close)
    {
        Failed = true;
        Close = close;

        // A cancel keeps the authenticator's contract; the session has answered already.
        return "*"u8.ToArray();
    }
}
