using System.Text;

namespace MailHost.Fuzz.Sessions;

/// <summary>What every server reply must look like, whatever the client sent.</summary>
internal static class ReplyChecks
{
    /// <summary>
    /// Line protocols (SMTP, POP3): the output is whole lines, each ended by CRLF, with no bare CR or LF and no NUL
    /// (RFC 5321 §2.3.8, RFC 1939 §3). Returns the lines without CRLF.
    /// </summary>
    public static List<string> Lines(byte[] output, string protocol)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < output.Length; i++)
        {
            switch (output[i])
            {
                case 0:
                    throw new FuzzInvariantException($"{protocol}: a NUL in a reply at byte {i}");
                case (byte)'\r':
                    FuzzInvariantException.Check(i + 1 < output.Length && output[i + 1] == '\n', $"{protocol}: a bare CR in a reply at byte {i}: {Around(output, i)}");
                    break;
                case (byte)'\n':
                    FuzzInvariantException.Check(i > 0 && output[i - 1] == '\r', $"{protocol}: a bare LF in a reply at byte {i}: {Around(output, i)}");
                    lines.Add(Encoding.UTF8.GetString(output, start, i - 1 - start));
                    start = i + 1;
                    break;
            }
        }

        FuzzInvariantException.Check(start == output.Length, $"{protocol}: the last reply line does not end with CRLF: {Around(output, output.Length - 1)}");
        return lines;
    }

    /// <summary>The bytes around <paramref name="at"/>, for a message.</summary>
    public static string Around(byte[] output, int at)
    {
        var from = Math.Max(0, at - 60);
        var to = Math.Min(output.Length, at + 20);
        return Encoding.UTF8.GetString(output, from, to - from).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal);
    }
}
