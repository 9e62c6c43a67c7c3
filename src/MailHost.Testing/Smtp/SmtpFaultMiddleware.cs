using System.IO.Pipelines;
using System.Security.Cryptography.X509Certificates;
using MailHost.Hosting;
using Microsoft.AspNetCore.Connections;

namespace MailHost.Testing.Smtp;

/// <summary>
/// A Kestrel connection middleware in front of MailHost's SMTP pipeline: it owns the raw transport and gives the
/// rest of the pipeline a pipe pair instead, with a <see cref="SmtpFaultRelay"/> between the two. The production
/// session knows nothing of it. Like Kestrel's own TLS middleware, it swaps <see cref="ConnectionContext.Transport"/>
/// and restores it in <c>finally</c>.
/// </summary>
internal sealed class SmtpFaultMiddleware(
    ConnectionDelegate next,
    MailProtocol protocol,
    SmtpFaults faults,
    ReceivedMessageLog log,
    X509Certificate2 certificate,
    TimeProvider timeProvider)
{
    public async Task OnConnectionAsync(ConnectionContext context)
    {
        if (faults.TakeDroppedConnection())
        {
            context.Abort(new ConnectionAbortedException("Dropped by a MailHost.Testing fault."));
            return;
        }

        var implicitTls = faults.TakeImplicitTls();
        var original = context.Transport;
        using var recorder = new SmtpTransactionRecorder(protocol, log, timeProvider);
        var toSession = new Pipe();
        var fromSession = new Pipe();
        var relay = new SmtpFaultRelay(
            new SmtpPipeEnd(original.Input, original.Output),
            new SmtpPipeEnd(fromSession.Reader, toSession.Writer),
            faults,
            recorder,
            certificate);
        await using (relay.ConfigureAwait(false))
        {
            using var sessionEnded = new CancellationTokenSource();
            context.Transport = new SmtpPipeEnd(toSession.Reader, fromSession.Writer);
            var relaying = RelayAsync(context, relay, implicitTls, toSession.Writer, sessionEnded.Token);
            try
            {
                await next(context).ConfigureAwait(false);
            }
            finally
            {
                // The session is over: let the relay pass on its last reply, stop waiting for the client, and send
                // anything the session wrote on its own (a 421 at shutdown).
                await fromSession.Writer.CompleteAsync().ConfigureAwait(false);
                await sessionEnded.CancelAsync().ConfigureAwait(false);
                await relaying.ConfigureAwait(false);
                await relay.FlushServerOutputAsync().ConfigureAwait(false);
                context.Transport = original;
            }
        }
    }

    private static async Task RelayAsync(ConnectionContext context, SmtpFaultRelay relay, bool implicitTls, PipeWriter toSession, CancellationToken sessionEnded)
    {
        try
        {
            await relay.RunAsync(implicitTls, sessionEnded).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidDataException or System.Security.Authentication.AuthenticationException)
        {
            // The session ended, the client went away or spoke no SMTP: nothing to relay any more.
        }
        finally
        {
            // The session sees the end of its input and finishes.
            await toSession.CompleteAsync().ConfigureAwait(false);
            if (relay.DropRequested)
            {
                context.Abort(new ConnectionAbortedException("Dropped by a MailHost.Testing fault."));
            }
        }
    }
}
