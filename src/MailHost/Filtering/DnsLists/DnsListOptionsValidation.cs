using System.Globalization;
using System.Net;

namespace MailHost.Filtering.DnsLists;

/// <summary>Checks <see cref="DnsListOptions"/>; a problem names the setting's key and the fix.</summary>
internal static class DnsListOptionsValidation
{
    /// <summary>
    /// The longest zone name: the 64 characters of an IPv6 query prefix and a dot in front of it must still fit in
    /// the 253 characters of a DNS name (RFC 1035 §2.3.4, RFC 5782 §2.4).
    /// </summary>
    public const int MaxZoneLength = 253 - 64;

    private static readonly TimeSpan LongestCacheTime = TimeSpan.FromDays(1);
    private static readonly TimeSpan LongestTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The zone as it is asked: trimmed, lower case, without a trailing dot.</summary>
    public static string NormalizeZone(string zone) => zone.Trim().TrimEnd('.').ToLowerInvariant();

    /// <summary>The first problem of <paramref name="options"/> (key under <paramref name="sectionPath"/>, text); null when none.</summary>
    public static (string Key, string Problem)? FindProblem(DnsListOptions options, string sectionPath)
    {
        var problem = FindListProblem(options.AllowLists, sectionPath + ":" + nameof(options.AllowLists), isAllowList: true)
            ?? FindListProblem(options.BlockLists, sectionPath + ":" + nameof(options.BlockLists), isAllowList: false);
        if (problem is not null)
        {
            return problem;
        }

        if (options.CacheTime < TimeSpan.Zero || options.CacheTime > LongestCacheTime)
        {
            return (sectionPath + ":" + nameof(options.CacheTime), $"{options.CacheTime} must be from 00:00:00 (no cache) to 1.00:00:00, e.g. 00:10:00.");
        }

        if (options.CacheSize <= 0)
        {
            return (sectionPath + ":" + nameof(options.CacheSize), $"{options.CacheSize} must be a positive number of client addresses; set CacheTime to 00:00:00 to turn the cache off.");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > LongestTimeout)
        {
            return (sectionPath + ":" + nameof(options.Timeout), $"{options.Timeout} must be more than zero and at most 00:10:00, e.g. 00:00:05.");
        }

        if (!Enum.IsDefined(options.OnFailure))
        {
            return (sectionPath + ":" + nameof(options.OnFailure), $"'{options.OnFailure}' is not Accept or TempFail.");
        }

        return FindReplyTextProblem(options.ReplyText, sectionPath + ":" + nameof(options.ReplyText));
    }

    /// <summary>Whether <paramref name="zone"/> (normalised) is a DNS name: dot-separated labels of 1-63 letters, digits, '-' or '_'.</summary>
    public static bool IsZoneName(string zone)
    {
        if (zone.Length is 0 or > MaxZoneLength)
        {
            return false;
        }

        foreach (var label in zone.Split('.'))
        {
            // Letters, digits and hyphens (RFC 1035 §2.3.1), and underscores, which some list operators use.
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-'
                || !label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses a code strictly as four decimal octets (<see cref="IPAddress.TryParse(string, out IPAddress)"/> also takes <c>127.2</c>).</summary>
    public static bool TryParseCode(string text, out IPAddress code)
    {
        code = IPAddress.None;
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        var octets = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            if (parts[i].Length is 0 or > 3 || !parts[i].All(char.IsAsciiDigit)
                || !byte.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out octets[i]))
            {
                return false;
            }
        }

        code = new IPAddress(octets);
        return true;
    }

    private static (string Key, string Problem)? FindListProblem(IList<DnsListZone> lists, string listsKey, bool isAllowList)
    {
        HashSet<string> seen = new(StringComparer.Ordinal);
        for (var i = 0; i < lists.Count; i++)
        {
            var key = listsKey + ":" + i.ToString(CultureInfo.InvariantCulture);
            var list = lists[i];
            if (list is null)
            {
                return (key, "is empty; give the list as { \"Zone\": \"zen.spamhaus.org\" }.");
            }

            var zone = NormalizeZone(list.Zone ?? "");
            if (zone.Length == 0)
            {
                return (key + ":" + nameof(list.Zone), "is missing; give the list's DNS zone, e.g. zen.spamhaus.org.");
            }

            if (!IsZoneName(zone))
            {
                return (key + ":" + nameof(list.Zone), $"'{list.Zone}' is not a DNS name of at most {MaxZoneLength} characters (labels of letters, digits and '-' separated by dots).");
            }

            if (!seen.Add(zone))
            {
                return (key + ":" + nameof(list.Zone), $"'{zone}' is listed twice.");
            }

            if (!isAllowList && !Enum.IsDefined(list.Action))
            {
                return (key + ":" + nameof(list.Action), $"'{list.Action}' is not Reject or Junk.");
            }

            foreach (var (text, label) in list.Codes)
            {
                var codeKey = key + ":" + nameof(list.Codes) + ":" + text;
                if (!TryParseCode(text, out var code) || code.GetAddressBytes()[0] != 127)
                {
                    // RFC 5782 §2.1: list answers are addresses in 127.0.0.0/8.
                    return (codeKey, $"'{text}' is not an address in 127.0.0.0/8 such as 127.0.0.2 (lists answer with those, RFC 5782 §2.1).");
                }

                if (DnsListAnswer.IsRefusalCode(code))
                {
                    return (codeKey, $"{text} is the answer lists give to refuse a query, not a listing: it is always treated as an error. Remove it.");
                }

                if (label is not null && label.Any(c => c is < ' ' or > '~'))
                {
                    return (codeKey, $"the label '{label}' must be printable ASCII on one line.");
                }
            }
        }

        return null;
    }

    private static (string Key, string Problem)? FindReplyTextProblem(string? template, string key)
    {
        if (string.IsNullOrWhiteSpace(template))
        {
            return (key, $"is empty; give the refusal text, e.g. {DnsListOptions.DefaultReplyText}");
        }

        if (template.Any(c => c is < ' ' or > '~'))
        {
            return (key, "must be printable ASCII on one line (RFC 5321 §4.2: an SMTP reply text is ASCII).");
        }

        if (template.Length > DnsListReplyText.MaxTextLength - DnsListReplyText.MaxReasonLength)
        {
            return (key, $"is longer than {DnsListReplyText.MaxTextLength - DnsListReplyText.MaxReasonLength} characters.");
        }

        return DnsListReplyText.FindUnknownPlaceholder(template) is { } unknown
            ? (key, $"'{unknown}' is not a placeholder; use {{address}}, {{zone}}, {{code}}, {{label}}, {{reason}} or {{: reason}}.")
            : null;
    }
}
