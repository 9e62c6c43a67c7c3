namespace MailHost.Protocols.MailAuthentication;

/// <summary>
/// The tag=value list of DKIM signatures and key records (RFC 6376 §3.2), also the shape of DMARC records
/// (RFC 7489 §6.4). Tag names are case-sensitive; folding white space around names, values and separators is
/// dropped; a duplicate tag makes the list invalid (§3.2: "Tags with duplicate names MUST NOT occur").
/// </summary>
internal static class DkimTagList
{
    /// <summary>
    /// Parses <paramref name="text"/> into tags in order of appearance. Values keep their inner white space
    /// (<c>b=</c>, <c>bh=</c> and <c>p=</c> callers remove it). A trailing <c>;</c> is allowed.
    /// </summary>
    public static bool TryParse(string text, out IReadOnlyList<KeyValuePair<string, string>> tags, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var list = new List<KeyValuePair<string, string>>();
        tags = list;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var specs = text.Split(';');
        for (var i = 0; i < specs.Length; i++)
        {
            var spec = specs[i];
            if (IsWhiteSpace(spec))
            {
                // tag-list = tag-spec *( ";" tag-spec ) [ ";" ]: only the last one may be empty.
                if (i == specs.Length - 1 && i > 0)
                {
                    break;
                }

                error = "empty tag-spec";
                return false;
            }

            var equals = spec.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                error = $"tag-spec without '=': '{Trim(spec)}'";
                return false;
            }

            var name = Trim(spec[..equals]);
            if (!IsTagName(name))
            {
                error = $"invalid tag name '{name}'";
                return false;
            }

            var value = Trim(spec[(equals + 1)..]);
            if (!IsTagValue(value))
            {
                error = $"invalid value for tag '{name}'";
                return false;
            }

            if (!seen.Add(name))
            {
                error = $"duplicate tag '{name}'";
                return false;
            }

            list.Add(new(name, value));
        }

        error = null;
        return true;
    }

    /// <summary>The value with all folding white space (SP, HTAB, CR, LF) removed, as base64 tags need.</summary>
    public static string RemoveWhiteSpace(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return string.Concat(value.Where(c => c is not (' ' or '\t' or '\r' or '\n')));
    }

    /// <summary>The value of <paramref name="name"/>, or <see langword="null"/>.</summary>
    public static string? Find(IReadOnlyList<KeyValuePair<string, string>> tags, string name)
    {
        ArgumentNullException.ThrowIfNull(tags);
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value;
            }
        }

        return null;
    }

    private static string Trim(string text) => text.Trim(' ', '\t', '\r', '\n');

    private static bool IsWhiteSpace(string text) => Trim(text).Length == 0;

    /// <summary>tag-name = ALPHA *ALNUMPUNC; ALNUMPUNC = ALPHA / DIGIT / "_".</summary>
    private static bool IsTagName(string name)
        => name.Length > 0 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>tag-value = [ tval *( 1*(WSP / FWS) tval ) ]; VALCHAR = %x21-3A / %x3C-7E.</summary>
    private static bool IsTagValue(string value)
        => value.All(c => c is ((>= '!' and <= '~') or ' ' or '\t' or '\r' or '\n') and not ';');
}
