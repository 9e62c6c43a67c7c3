using System.Globalization;
using System.Text;

namespace MailHost.Server.DnsCheck;

/// <summary>Records as zone-file lines (RFC 1035 §5.1), with absolute names, ready to paste into a zone.</summary>
internal static class ZoneRecords
{
    // RFC 1035 §3.3: a TXT record is a sequence of character-strings of at most 255 octets each.
    private const int MaxTxtStringLength = 255;

    /// <summary>A TXT record, its text split into quoted strings of at most 255 characters (DNS joins them).</summary>
    public static string Txt(string name, string text)
    {
        var line = new StringBuilder(name).Append(". IN TXT");
        for (var offset = 0; offset < text.Length; offset += MaxTxtStringLength)
        {
            // The texts suggested here are letters, digits, '=', ';', ':', '@', '.' and spaces: nothing needs escaping.
            line.Append(" \"").Append(text.AsSpan(offset, Math.Min(MaxTxtStringLength, text.Length - offset))).Append('"');
        }

        return line.ToString();
    }

    public static string Mx(string domain, int preference, string exchange)
        => string.Create(CultureInfo.InvariantCulture, $"{domain}. IN MX {preference} {exchange}.");

    public static string Srv(string name, int priority, int weight, int port, string target)
        => string.Create(CultureInfo.InvariantCulture, $"{name}. IN SRV {priority} {weight} {port} {target}.");

    public static string Cname(string name, string target) => $"{name}. IN CNAME {target}.";

    public static string Ptr(string reverseName, string host) => $"{reverseName}. IN PTR {host}.";
}
