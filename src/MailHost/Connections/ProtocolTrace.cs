using System.Buffers;
using System.Globalization;
using MailHost.Hosting;
using MailHost.Protocols.Text;
using Microsoft.Extensions.Logging;

namespace MailHost.Connections;

/// <summary>
/// The protocol trace of one connection: every line received (<c>C:</c>) and sent (<c>S:</c>) at Trace level under
/// the category <c>MailHost.Trace.&lt;Protocol&gt;</c>. Non-printable bytes appear as a backslash and two hex digits
/// (a TLS ClientHello on a plain port reads <c>\16\03\01...</c>); secrets are redacted by the session that knows
/// which bytes are secret; message bodies are summarised by size. Costs nothing when Trace is off.
/// </summary>
internal sealed class ProtocolTrace
{
    private readonly ILogger _logger;
    private readonly string _connectionId;
    private readonly MailProtocol _protocol;

    /// <summary>Creates the trace of one connection.</summary>
    public ProtocolTrace(ILoggerFactory loggerFactory, MailProtocol protocol, string connectionId)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _logger = loggerFactory.CreateLogger(CategoryName(protocol));
        _connectionId = connectionId;
        _protocol = protocol;
    }

    /// <summary>Whether tracing is on; check it before building anything expensive to trace.</summary>
    public bool IsEnabled => _logger.IsEnabled(LogLevel.Trace);

    /// <summary>The logging category for a protocol's trace, e.g. <c>MailHost.Trace.Imap</c>.</summary>
    public static string CategoryName(MailProtocol protocol) => "MailHost.Trace." + protocol;

    /// <summary>A line the client sent (with or without its CRLF).</summary>
    public void Received(ReadOnlySpan<byte> line)
    {
        if (IsEnabled)
        {
            TraceLog.Line(_logger, _connectionId, "C", ProtocolTraceFormatter.Escape(line));
        }
    }

    /// <summary>
    /// A command line the client sent, with the protocol's secrets (LOGIN and PASS arguments, SASL initial responses)
    /// redacted by <see cref="ProtocolTraceRedactor"/>, line by line.
    /// </summary>
    public void ReceivedCommand(in ReadOnlySequence<byte> line) => ReceivedCommand(line, continuesRefusedLine: false);

    /// <summary>
    /// What the client sent up to the end of a command line, each line redacted on its own.
    /// </summary>
    /// <param name="bytes">The bytes the parser consumed.</param>
    /// <param name="continuesRefusedLine">
    /// The bytes start with the rest of an over-long line the parser refused and skipped, up to its CRLF. That part is
    /// summarised by its size, never shown: it may be the tail of a PASS or AUTH line whose start was redacted.
    /// </param>
    public void ReceivedCommand(in ReadOnlySequence<byte> bytes, bool continuesRefusedLine)
    {
        if (!IsEnabled)
        {
            return;
        }

        ReadOnlySpan<byte> rest = bytes.ToArray();
        if (continuesRefusedLine)
        {
            var end = rest.IndexOf("\r\n"u8);
            var skipped = end < 0 ? rest.Length : end + 2;
            ReceivedPayload(skipped, "rest of a refused over-long line");
            rest = rest[skipped..];
        }

        ReceivedCommands(rest);
    }

    /// <summary>Lines the client sent (commands, and an IMAP command's literals), each redacted on its own.</summary>
    public void ReceivedCommands(ReadOnlySpan<byte> bytes)
    {
        if (!IsEnabled || bytes.IsEmpty)
        {
            return;
        }

        var lines = _protocol switch
        {
            MailProtocol.Imap => ProtocolTraceRedactor.RedactImapLines(bytes),
            MailProtocol.Pop3 => ProtocolTraceRedactor.RedactPop3Lines(bytes),
            _ => ProtocolTraceRedactor.RedactSmtpLines(bytes),
        };
        foreach (var line in lines)
        {
            TraceLog.Line(_logger, _connectionId, "C", line);
        }
    }

    /// <summary>A line the client sent, already redacted by the session (e.g. from <see cref="ProtocolTraceRedactor"/>).</summary>
    public void ReceivedRedacted(string redactedLine)
    {
        if (IsEnabled)
        {
            TraceLog.Line(_logger, _connectionId, "C", redactedLine);
        }
    }

    /// <summary>Client data that is summarised rather than shown (a message body, a literal).</summary>
    public void ReceivedPayload(long byteCount, string what)
    {
        if (IsEnabled)
        {
            TraceLog.Line(_logger, _connectionId, "C", string.Create(CultureInfo.InvariantCulture, $"<{what}, {byteCount} bytes>"));
        }
    }

    /// <summary>A line the server sent.</summary>
    public void Sent(ReadOnlySpan<byte> line)
    {
        if (IsEnabled)
        {
            TraceLog.Line(_logger, _connectionId, "S", ProtocolTraceFormatter.Escape(line));
        }
    }

    /// <summary>Server data that is summarised rather than shown.</summary>
    public void SentPayload(long byteCount, string what)
    {
        if (IsEnabled)
        {
            TraceLog.Line(_logger, _connectionId, "S", string.Create(CultureInfo.InvariantCulture, $"<{what}, {byteCount} bytes>"));
        }
    }
}
