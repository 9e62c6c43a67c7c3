using System.Globalization;
using System.Text;

namespace MailHost.Server.Admin;

/// <summary>Text helpers for the admin command line.</summary>
internal static class AdminText
{
    /// <summary>
    /// Makes stored or typed text safe to print on a terminal: control and format characters (which could carry
    /// terminal escape sequences, e.g. in a client name from IMAP ID) become <c>\uXXXX</c>.
    /// </summary>
    public static string Printable(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "-";
        }

        StringBuilder? builder = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var unsafeChar = char.IsControl(c)
                || char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
            if (unsafeChar)
            {
                builder ??= new StringBuilder(text, 0, i, text.Length + 16);
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder?.Append(c);
            }
        }

        return builder?.ToString() ?? text;
    }

    /// <summary>A UTC time as <c>yyyy-MM-dd HH:mm:ssZ</c>.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
