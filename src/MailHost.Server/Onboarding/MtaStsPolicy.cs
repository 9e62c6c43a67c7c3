using System.Globalization;
using System.Text;
using MailHost.Hosting;

namespace MailHost.Server.Onboarding;

/// <summary>
/// The MTA-STS policy (RFC 8461) from <c>MailHost:MtaSts</c>: <c>Mode</c> (testing, enforce or none; default
/// testing), <c>Mx</c> (a list or one comma-separated value; default <c>MailHost:Hostname</c>) and
/// <c>MaxAgeSeconds</c> (default 604800, one week). Off unless the section is present (e.g. <c>Enabled: true</c>);
/// <c>Enabled: false</c> turns it off again.
/// </summary>
internal sealed record MtaStsPolicy(string Mode, IReadOnlyList<string> Mx, long MaxAgeSeconds)
{
    public const string SectionName = "MailHost:MtaSts";

    /// <summary>RFC 8461 §3.2: max_age is at most 31557600 seconds (about a year).</summary>
    public const long MaxMaxAgeSeconds = 31_557_600;

    /// <summary>The policy path, RFC 8461 §3.3.</summary>
    public const string Path = "/.well-known/mta-sts.txt";

    /// <summary>The label a policy host has in front of the policy domain, RFC 8461 §3.3.</summary>
    public const string HostPrefix = "mta-sts.";

    /// <summary>Reads the policy; null when MTA-STS is not configured.</summary>
    /// <exception cref="MailHostConfigurationException">A value is invalid.</exception>
    public static MtaStsPolicy? Read(IConfiguration configuration, string hostname)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        if (!section.Exists() || (section["Enabled"] is { } enabled && !ReadEnabled(enabled)))
        {
            return null;
        }

        var mode = (section["Mode"] ?? "testing").Trim().ToLowerInvariant();
        if (mode is not ("testing" or "enforce" or "none"))
        {
            throw Error("Mode", $"'{section["Mode"]}' is not a mode. Use testing, enforce or none (RFC 8461 §5).");
        }

        var mx = section.GetSection("Mx").GetChildren().Select(c => c.Value).ToList();
        if (mx.Count == 0 && section["Mx"] is { } single)
        {
            mx = [.. single.Split(',')];
        }

        var names = mx.Select(n => n?.Trim().TrimEnd('.').ToLowerInvariant() ?? "").Where(n => n.Length > 0).Distinct().ToList();
        if (names.Count == 0)
        {
            names.Add(hostname.TrimEnd('.').ToLowerInvariant());
        }

        if (names.FirstOrDefault(n => n.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '*'))) is { } bad)
        {
            throw Error("Mx", $"'{bad}' is not a host name or a *.domain pattern (RFC 8461 §3.2).");
        }

        var maxAge = 604_800L;
        if (section["MaxAgeSeconds"] is { } text && (!long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out maxAge) || maxAge > MaxMaxAgeSeconds))
        {
            throw Error("MaxAgeSeconds", $"'{text}' must be a whole number of seconds from 0 to {MaxMaxAgeSeconds} (RFC 8461 §3.2).");
        }

        return new MtaStsPolicy(mode, names, maxAge);
    }

    /// <summary>The policy file: one <c>key: value</c> per line, CRLF-terminated (RFC 8461 §3.2).</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        text.Append("version: STSv1\r\n");
        text.Append(CultureInfo.InvariantCulture, $"mode: {Mode}\r\n");
        foreach (var name in Mx)
        {
            text.Append(CultureInfo.InvariantCulture, $"mx: {name}\r\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"max_age: {MaxAgeSeconds}\r\n");
        return text.ToString();
    }

    private static bool ReadEnabled(string text) =>
        bool.TryParse(text.Trim(), out var value) ? value : throw Error("Enabled", $"'{text}' is not true or false.");

    private static MailHostConfigurationException Error(string name, string problem) =>
        new($"{SectionName}:{name}: {problem}") { Key = SectionName + ":" + name };
}
