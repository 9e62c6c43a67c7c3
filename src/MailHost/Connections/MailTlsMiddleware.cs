using System.Buffers;
using System.IO.Pipelines;
using MailHost.Hosting;
using MailHost.Protocols.Tls;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace MailHost.Connections;

/// <summary>
/// TLS for mail endpoints in the four <see cref="MailTlsMode"/>s. Swaps <c>ConnectionContext.Transport</c> for the
/// encrypted pipe and restores it in <c>finally</c>. In <see cref="MailTlsMode.Auto"/> it holds the greeting for
/// <see cref="MailEndpointOptions.TlsDetectionTimeout"/>: a TLS ClientHello in that window is answered with a
/// handshake; silence or any other byte means a plain-text client, which then gets its greeting and STARTTLS.
/// Peeking never consumes: the handshake or the protocol parser sees every byte.
/// </summary>
internal sealed class MailTlsMiddleware(
    ConnectionDelegate next,
    MailEndpointOptions endpoint,
    TlsHandshaker handshaker,
    PendingHandshakeGate gate,
    TimeProvider timeProvider,
    ILogger logger)
{
    private enum Detection
    {
        Plain,
        Tls,
        Abandoned,
    }

    public async Task OnConnectionAsync(ConnectionContext context)
    {
        var connection = context.Features.Get<MailConnection>()!;
        var original = context.Transport;
        var startTls = new StartTlsFeature(context, connection, endpoint, handshaker, gate, timeProvider, logger);
        context.Features.Set<IMailTlsFeature>(startTls);
        TlsTransport? tls = null;
        try
        {
            if (endpoint.Tls is MailTlsMode.Implicit or MailTlsMode.Auto)
            {
                if (!gate.TryEnter())
                {
                    ConnectionLog.TlsPendingFull(logger, endpoint.MaxPendingTlsHandshakes);
                    MailHostMetrics.Refused(connection, "tls-pending-limit");
                    return;
                }

                try
                {
                    using var deadline = new CancellationTokenSource(endpoint.TlsHandshakeTimeout, timeProvider);
                    var detection = endpoint.Tls == MailTlsMode.Implicit
                        ? Detection.Tls
                        : await DetectAsync(context.Transport.Input, deadline.Token).ConfigureAwait(false);
                    if (detection == Detection.Abandoned)
                    {
                        return;
                    }

                    if (detection == Detection.Tls)
                    {
                        tls = await handshaker.HandshakeAsync(context, connection, deadline.Token).ConfigureAwait(false);
                        if (tls is null)
                        {
                            return;
                        }

                        context.Transport = tls.Pipe;
                    }
                }
                finally
                {
                    gate.Exit();
                }
            }

            await next(context).ConfigureAwait(false);
        }
        finally
        {
            context.Transport = original;
            if (tls is not null)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
            }

            if (startTls.Transport is not null)
            {
                await startTls.Transport.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Mail protocols are server-speaks-first, so a plain-text client stays silent until it sees the greeting: when
    /// the detection window passes with no byte, the client is plain. Once a byte has arrived, the sniffer decides,
    /// and a slow ClientHello is bounded by the handshake deadline rather than the window.
    /// </summary>
    private async Task<Detection> DetectAsync(PipeReader input, CancellationToken deadline)
    {
        var started = timeProvider.GetTimestamp();
        using var window = new CancellationTokenSource(endpoint.TlsDetectionTimeout, timeProvider);
        using var firstRead = CancellationTokenSource.CreateLinkedTokenSource(window.Token, deadline);
        var token = firstRead.Token;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (window.IsCancellationRequested && !deadline.IsCancellationRequested && token == firstRead.Token)
            {
                ConnectionLog.TlsDetected(logger, "no bytes: plain text", (long)timeProvider.GetElapsedTime(started).TotalMilliseconds);
                return Detection.Plain;
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                ConnectionLog.TlsFailed(logger, "incomplete TLS record header before the handshake deadline");
                return Detection.Abandoned;
            }

            var buffer = result.Buffer;
            var verdict = TlsClientHelloSniffer.Classify(buffer);
            if (verdict == TlsSniffResult.NeedMoreData && !result.IsCompleted)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                token = deadline;
                continue;
            }

            // Decided: consume nothing and leave nothing "examined", or the next reader would wait for new bytes.
            input.AdvanceTo(buffer.Start);
            if (verdict == TlsSniffResult.ClientHello)
            {
                ConnectionLog.TlsDetected(logger, "TLS ClientHello", (long)timeProvider.GetElapsedTime(started).TotalMilliseconds);
                return Detection.Tls;
            }

            if (buffer.IsEmpty && result.IsCompleted)
            {
                return Detection.Abandoned;
            }

            ConnectionLog.TlsDetected(logger, "other bytes: plain text", (long)timeProvider.GetElapsedTime(started).TotalMilliseconds);
            return Detection.Plain;
        }
    }
}
