using System.Globalization;
using MailHost.Dkim;

namespace MailHost.Server.Administration.Operations;

/// <summary>How a new DKIM key for a domain is made: its selector, and the refusal to reuse the current one.</summary>
internal static class DkimKeyIssuer
{
    /// <summary>A new key for <paramref name="domain"/>, or the reason there is none.</summary>
    public static (DkimKey? Key, string? Problem) Create(string domain, string? selector, string? algorithm, DkimKey? current, DateTimeOffset now)
    {
        selector ??= DefaultSelector(now, current?.Selector);
        if (current is not null && selector == current.Selector)
        {
            // The old record must stay published while mail signed with it is still on its way.
            return (null, $"Selector '{selector}' is the current key's selector; a new key needs a new selector.");
        }

        return (DkimKeys.Create(domain, selector, algorithm ?? DkimAlgorithms.RsaSha256, now), null);
    }

    /// <summary><c>mh</c> and the date (<c>mh20260301</c>); a second key on the same day gets <c>-2</c>, <c>-3</c>, ...</summary>
    public static string DefaultSelector(DateTimeOffset now, string? current)
    {
        var selector = "mh" + now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        if (current is null || !current.StartsWith(selector, StringComparison.Ordinal))
        {
            return selector;
        }

        var suffix = current.Length > selector.Length + 1 && current[selector.Length] == '-'
            && int.TryParse(current.AsSpan(selector.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n + 1 : 2;
        return selector + "-" + suffix.ToString(CultureInfo.InvariantCulture);
    }
}
