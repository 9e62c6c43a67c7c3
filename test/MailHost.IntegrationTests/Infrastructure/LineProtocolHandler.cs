using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using MailHost.Connections;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace MailHost.IntegrationTests.Infrastructure;

/// <summary>
/// A small server-speaks-first line protocol that exists only in the tests, to exercise the connection layer
/// the way IMAP, POP3 and SMTP use it: greeting, commands, STARTTLS through <see cref="IMailTlsFeature"/>, the trace.
/// Commands: INFO, ECHO text, STARTTLS, QUIT, and STARTTLS-SLOW, whose reply is followed by a pause before the
/// handshake starts (so that the client's ClientHello is surely buffered by then).
/// </summary>
public sealed class LineProtocolHandler(ILoggerFactory loggerFactory) : ConnectionHandler
{
    private const int MaxLine = 1000;

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var info = connection.Features.Get<IMailConnectionFeature>()!;
        var tls = connection.Features.Get<IMailTlsFeature>()!;
        var trace = new ProtocolTrace(loggerFactory, info.Endpoint.Protocol, connection.ConnectionId);
        var logger = loggerFactory.CreateLogger<LineProtocolHandler>();
        logger.LogInformation("Session started");

        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        await WriteAsync(output, trace, $"* OK test ready tls={info.IsTls}");
        while (true)
        {
            var result = await input.ReadAsync();
            var buffer = result.Buffer;
            var line = ReadLine(ref buffer);
            if (line is null)
            {
                if (buffer.Length > MaxLine || result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        trace.Received(buffer.ToArray());
                    }

                    if (buffer.Length > MaxLine)
                    {
                        await WriteAsync(output, trace, "BAD line too long");
                    }

                    input.AdvanceTo(buffer.End);
                    return;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            trace.Received(line);
            input.AdvanceTo(buffer.Start);
            var text = Encoding.Latin1.GetString(line).TrimEnd('\r', '\n');
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            var verb = (space < 0 ? text : text[..space]).ToUpperInvariant();
            var argument = space < 0 ? "" : text[(space + 1)..];
            switch (verb)
            {
                case "QUIT":
                    await WriteAsync(output, trace, "BYE");
                    return;
                case "ECHO":
                    await WriteAsync(output, trace, "ECHO " + argument);
                    break;
                case "INFO":
                    await WriteAsync(output, trace, $"INFO remote={info.RemoteEndPoint} local={info.LocalEndPoint} tls={info.IsTls} desc={info.TlsDescription}");
                    break;
                case "STARTTLS" or "STARTTLS-SLOW":
                    if (!tls.CanStartTls)
                    {
                        await WriteAsync(output, trace, "BAD STARTTLS not available");
                        break;
                    }

                    var plain = output;
                    var pause = verb == "STARTTLS-SLOW" ? TimeSpan.FromMilliseconds(300) : TimeSpan.Zero;
                    var started = await tls.StartTlsAsync(
                        async () =>
                        {
                            await WriteAsync(plain, trace, "OK begin TLS");
                            await Task.Delay(pause);
                        },
                        CancellationToken.None);
                    if (started == StartTlsOutcome.Unavailable)
                    {
                        await WriteAsync(output, trace, "NO TLS unavailable");
                        break;
                    }

                    if (started == StartTlsOutcome.Failed)
                    {
                        return;
                    }

                    input = connection.Transport.Input;
                    output = connection.Transport.Output;
                    break;
                default:
                    await WriteAsync(output, trace, "BAD unknown command");
                    break;
            }
        }
    }

    private static byte[]? ReadLine(ref ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n', advancePastDelimiter: true))
        {
            return null;
        }

        buffer = buffer.Slice(reader.Position);
        return line.ToArray();
    }

    private static async ValueTask WriteAsync(PipeWriter output, ProtocolTrace trace, string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\r\n");
        trace.Sent(bytes);
        await output.WriteAsync(bytes);
    }
}
