using System.Text;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// Text as the search columns keep it: every UTF-16 unit upper-cased by the invariant simple case mapping, the
/// mapping <see cref="StringComparison.OrdinalIgnoreCase"/> compares by, so that a case-sensitive substring test on
/// folded text and folded value is exactly the case-insensitive test of the other stores. PostgreSQL text cannot hold
/// NUL or unpaired surrogates: those become U+FFFD, which no search value contains after folding the same way.
/// </summary>
internal static class SearchFolding
{
    public static string Fold(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[i + 1]);
                i++;
            }
            else if (c == '\0' || char.IsSurrogate(c))
            {
                builder.Append('\uFFFD');
            }
            else
            {
                builder.Append(char.ToUpperInvariant(c));
            }
        }

        return builder.ToString();
    }

    /// <summary>A LIKE pattern matching <paramref name="value"/> (folded) anywhere, its wildcards escaped: client text is never pattern syntax.</summary>
    public static string ContainsPattern(string value) =>
        "%" + Fold(value).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";

    /// <summary>Text safe for a PostgreSQL text column, not folded: NUL and unpaired surrogates become U+FFFD.</summary>
    public static string Clean(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[i + 1]);
                i++;
            }
            else
            {
                builder.Append(c == '\0' || char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return builder.ToString();
    }
}
