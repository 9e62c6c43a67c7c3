using System.Globalization;
using System.Text;

namespace MailHost.Accounts.Sql;

/// <summary>Quotes operator or client input for messages, so that control characters cannot reach a terminal or a log.</summary>
internal static class DirectoryText
{
    private const int MaxQuotedLength = 100;

    /// <summary>The input in single quotes, control characters as <c>\uXXXX</c>, clipped to a readable length.</summary>
    public static string Quote(string? input)
    {
        if (input is null)
        {
            return "(none)";
        }

        var builder = new StringBuilder(Math.Min(input.Length, MaxQuotedLength) + 2);
        builder.Append('\'');
        var clipped = input.Length > MaxQuotedLength;
        foreach (var c in clipped ? input.AsSpan(0, MaxQuotedLength) : input.AsSpan())
        {
            if (char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        builder.Append(clipped ? "...'" : "'");
        return builder.ToString();
    }
}
