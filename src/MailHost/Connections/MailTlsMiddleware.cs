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
/// Peeking never consumes: the handshake or the protocol parser sees every byte. Waiting for bytes holds no place in
/// the endpoint's handshake limit; <see cref="TlsHandshaker"/> takes one once the whole ClientHello is in.
/// </summary>
internal sealed class MailTlsMiddleware(
    ConnectionDelegate next,
    MailEndpointOptions endpoint,
    TlsHandshaker handshaker,
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
        var startTls = new StartTlsFeature(context, connection, endpoint, handshaker, timeProvider, logger);
        context.Features.Set<IMailTlsFeature>(startTls);
        TlsTransport? tls = null;
        try
        {
            if (endpoint.Tls is MailTlsMode.Implicit or MailTlsMode.Auto)
            {
                using var handshakeDeadline = new CancellationTokenSource(endpoint.TlsHandshakeTimeout, timeProvider);
                using var helloTimeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
                using var helloDeadline = CancellationTokenSource.CreateLinkedTokenSource(helloTimeout.Token, handshakeDeadline.Token);
                var detection = Detection.Tls;
                if (endpoint.Tls == MailTlsMode.Implicit)
                {
                    // The client speaks first: its ClientHello is due from the start.
                    helloTimeout.CancelAfter(endpoint.TlsClientHelloTimeout);
                }
                else
                {
                    detection = await DetectAsync(context.Transport.Input, helloTimeout, handshakeDeadline.Token, helloDeadline.Token).ConfigureAwait(false);
                }

                if (detection == Detection.Abandoned)
                {
                    return;
                }

                if (detection == Detection.Tls)
                {
                    tls = await handshaker.HandshakeAsync(context, connection, helloDeadline.Token, handshakeDeadline.Token).ConfigureAwait(false);
                    if (tls is null)
                    {
                        return;
                    }

                    context.Transport = tls.Pipe;
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
    /// and the ClientHello clock starts: a record header that never completes (a lone <c>0x16</c>) is cut at the
    /// ClientHello deadline rather than held for the whole handshake deadline.
    /// </summary>
    private async Task<Detection> DetectAsync(
        PipeReader input, CancellationTokenSource helloTimeout, CancellationToken handshakeDeadline, CancellationToken helloDeadline)
    {
        var started = timeProvider.GetTimestamp();
        using var window = new CancellationTokenSource(endpoint.TlsDetectionTimeout, timeProvider);
        using var firstRead = CancellationTokenSource.CreateLinkedTokenSource(window.Token, handshakeDeadline);
        var token = firstRead.Token;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token == firstRead.Token && window.IsCancellationRequested && !handshakeDeadline.IsCancellationRequested)
            {
                ConnectionLog.TlsDetected(logger, "no bytes: plain text", (long)timeProvider.GetElapsedTime(started).TotalMilliseconds);
                return Detection.Plain;
            }
            catch (OperationCanceledException) when (helloDeadline.IsCancellationRequested)
            {
                ConnectionLog.TlsFailed(logger, "incomplete TLS record header before the ClientHello deadline");
                return Detection.Abandoned;
            }

            var buffer = result.Buffer;
            if (token == firstRead.Token && !buffer.IsEmpty)
            {
                helloTimeout.CancelAfter(endpoint.TlsClientHelloTimeout);
            }

            var verdict = TlsClientHelloSniffer.Classify(buffer);
            if (verdict == TlsSniffResult.NeedMoreData && !result.IsCompleted)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                token = helloDeadline;
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
