using System.Buffers;
using System.Globalization;
using System.Text;

namespace MailHost.Protocols.Pop3;

/// <summary>Writes POP3 multi-line responses (RFC 1939 §3): a status line, lines, and a terminating <c>.CRLF</c>.</summary>
public static class Pop3ResponseWriter
{
    /// <summary>
    /// Writes the CAPA response (RFC 2449 §5): <c>+OK Capability list follows</c>, one capability per line, <c>.</c>.
    /// </summary>
    /// <param name="output">The destination.</param>
    /// <param name="capabilities">Lines such as <c>TOP</c>, <c>UIDL</c>, <c>SASL PLAIN</c>, <c>RESP-CODES</c>,
    /// <c>AUTH-RESP-CODE</c>, <c>STLS</c>, <c>UTF8</c>; printable ASCII, never starting with a dot.</param>
    /// <exception cref="ArgumentException">For a malformed line (a programming error).</exception>
    public static void WriteCapabilities(IBufferWriter<byte> output, IEnumerable<string> capabilities)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        Pop3Response.Ok("Capability list follows").WriteTo(output);
        foreach (var capability in capabilities)
        {
            WriteLine(output, capability);
        }

        WriteEnd(output);
    }

    /// <summary>Writes one scan-listing line of a multi-line LIST (RFC 1939 §5): <c>msg size</c>.</summary>
    public static void WriteListLine(IBufferWriter<byte> output, int messageNumber, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(messageNumber);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        WriteLine(output, string.Create(CultureInfo.InvariantCulture, $"{messageNumber} {size}"));
    }

    /// <summary>
    /// Writes one line of a multi-line UIDL (RFC 1939 §7): <c>msg unique-id</c>; the id is 1 to 70 characters in
    /// 0x21..0x7E.
    /// </summary>
    public static void WriteUidlLine(IBufferWriter<byte> output, int messageNumber, string uniqueId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(messageNumber);
        ArgumentNullException.ThrowIfNull(uniqueId);
        if (uniqueId.Length is 0 or > 70 || uniqueId.Any(c => c is < '!' or > '~'))
        {
            throw new ArgumentException("A unique-id is 1 to 70 characters from 0x21 to 0x7E.", nameof(uniqueId));
        }

        WriteLine(output, string.Create(CultureInfo.InvariantCulture, $"{messageNumber} {uniqueId}"));
    }

    /// <summary>Writes one line of a multi-line response (not a message: use <see cref="Text.DotStuffer"/> for those).</summary>
    /// <exception cref="ArgumentException">For text that is not printable ASCII or starts with a dot.</exception>
    public static void WriteLine(IBufferWriter<byte> output, string line)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(line);
        if (line.StartsWith('.') || line.Any(c => c is < ' ' or > '~'))
        {
            throw new ArgumentException("A response line is printable ASCII and does not start with a dot.", nameof(line));
        }

        output.Write(Encoding.ASCII.GetBytes(line));
        output.Write("\r\n"u8);
    }

    /// <summary>Writes the terminating <c>.CRLF</c> of a multi-line response.</summary>
    public static void WriteEnd(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(".\r\n"u8);
    }
}
