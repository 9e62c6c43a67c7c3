using MailHost.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace MailHost.Connections;

/// <summary>The STARTTLS upgrade of one connection (see <see cref="IMailTlsFeature"/>).</summary>
internal sealed class StartTlsFeature(
    ConnectionContext context,
    MailConnection connection,
    MailEndpointOptions endpoint,
    TlsHandshaker handshaker,
    TimeProvider timeProvider,
    ILogger logger) : IMailTlsFeature
{
    /// <summary>The TLS session STARTTLS established, for the middleware to close at the end.</summary>
    public TlsTransport? Transport { get; private set; }

    public bool CanStartTls => endpoint.Tls is MailTlsMode.StartTls or MailTlsMode.Auto
        && handshaker.HasCertificate
        && !connection.IsTls;

    public async ValueTask<StartTlsOutcome> StartTlsAsync(Func<ValueTask> sendReady, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sendReady);
        if (!CanStartTls)
        {
            return StartTlsOutcome.Unavailable;
        }

        // RFC 3207 §4.2 / RFC 2595 §3.1 / SECURITY.md A1: anything buffered before our reply is sent was sent before
        // the client could have seen it, so it is injected plain text. Throw it away, never parse it. (After the
        // reply, the next bytes may already be the ClientHello: the discard must come first.)
        var input = context.Transport.Input;
        if (input.TryRead(out var pending))
        {
            if (!pending.Buffer.IsEmpty)
            {
                ConnectionLog.StartTlsDiscarded(logger, pending.Buffer.Length);
            }

            input.AdvanceTo(pending.Buffer.End);
        }

        // An endpoint already at its handshake limit (for this client or in total) answers with a temporary error
        // while it still can; the place itself is taken once the ClientHello is in, so a client that asks for TLS and
        // then stays silent holds none.
        if (!handshaker.HasRoomFor(connection))
        {
            return StartTlsOutcome.Unavailable;
        }

        await sendReady().ConfigureAwait(false);
        using var handshakeDeadline = new CancellationTokenSource(endpoint.TlsHandshakeTimeout, timeProvider);
        using var helloTimeout = new CancellationTokenSource(endpoint.TlsClientHelloTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(handshakeDeadline.Token, cancellationToken);
        using var helloDeadline = CancellationTokenSource.CreateLinkedTokenSource(helloTimeout.Token, linked.Token);
        var tls = await handshaker.HandshakeAsync(context, connection, helloDeadline.Token, linked.Token).ConfigureAwait(false);
        if (tls is null)
        {
            return StartTlsOutcome.Failed;
        }

        Transport = tls;
        context.Transport = tls.Pipe;
        return StartTlsOutcome.Started;
    }
}
