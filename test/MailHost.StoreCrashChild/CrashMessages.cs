using System.Globalization;
using System.Text;

namespace MailHost.StoreCrashChild;

/// <summary>The deterministic messages the crash child appends: content follows from the sequence number alone.</summary>
public static class CrashMessages
{
    public static byte[] Create(long sequence)
    {
        var sb = new StringBuilder();
        sb.Append("From: crash@example.com\r\nTo: victim@example.com\r\n");
        sb.Append("Subject: crash ").Append(sequence.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        sb.Append("X-Seq: ").Append(sequence.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");
        // Every third message is large enough to live in its own content file.
        var lines = sequence % 3 == 0 ? 1500 : 20;
        for (var i = 0; i < lines; i++)
        {
            sb.Append("line ").Append(i.ToString(CultureInfo.InvariantCulture)).Append(" of message ").Append(sequence.ToString(CultureInfo.InvariantCulture)).Append(" ........................................\r\n");
        }

        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    public static long? ReadSequence(byte[] content)
    {
        var text = Encoding.ASCII.GetString(content, 0, Math.Min(content.Length, 512));
        var start = text.IndexOf("X-Seq: ", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += 7;
        var end = text.IndexOf('\r', start);
        return end > start && long.TryParse(text.AsSpan(start, end - start), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
