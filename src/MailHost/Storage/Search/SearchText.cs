namespace MailHost.Storage.Search;

/// <summary>Plain substring matching for search: ordinal, case-insensitive, never a regex or a LIKE pattern.</summary>
public static class SearchText
{
    /// <summary>Whether <paramref name="text"/> contains <paramref name="value"/>, ignoring case.</summary>
    public static bool Contains(string text, string value)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(value);
        return text.Contains(value, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Whether header text (lines of <c>Name: value</c>, as <see cref="Mime.IndexedMessage.HeaderText"/> holds it) has a
    /// header named <paramref name="name"/> whose value contains <paramref name="value"/>; an empty value only
    /// requires the header to exist (RFC 9051 §6.4.4 HEADER).
    /// </summary>
    public static bool HeaderMatches(string headerText, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(headerText);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        foreach (var line in headerText.AsSpan().EnumerateLines())
        {
            var colon = line.IndexOf(':');
            if (colon <= 0 || !line[..colon].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (value.Length == 0 || line[(colon + 1)..].Contains(value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Answers a <see cref="HeaderCriterion"/> or <see cref="TextCriterion"/> from indexed text.</summary>
    public static bool Matches(SearchCriteria criterion, string headerText, string bodyText) => Matches(criterion, headerText, bodyText, string.Empty);

    /// <summary>
    /// Answers a <see cref="HeaderCriterion"/>, <see cref="AddressCriterion"/> or <see cref="TextCriterion"/> from
    /// indexed text; <paramref name="addressText"/> is the message's <see cref="AddressSearchText"/>.
    /// </summary>
    public static bool Matches(SearchCriteria criterion, string headerText, string bodyText, string addressText) => criterion switch
    {
        HeaderCriterion header => HeaderMatches(headerText, header.Name, header.Value),
        AddressCriterion address => HeaderMatches(headerText, address.Field, address.Value) || HeaderMatches(addressText, address.Field, address.Value),
        TextCriterion { Scope: TextScope.Body } body => Contains(bodyText, body.Value),
        TextCriterion text => Contains(headerText, text.Value) || Contains(bodyText, text.Value),
        _ => throw new ArgumentException("Not a text criterion.", nameof(criterion)),
    };
}
