using System.Globalization;
using System.Text;

namespace MailHost.Protocols.MailAuthentication;

/// <summary>
/// Public Suffix List rules (https://publicsuffix.org/list/, format and algorithm as published there) and the
/// DMARC organizational domain built on them (RFC 7489 §3.2). The list is data the operator supplies at run time;
/// <see cref="Fallback"/> is a small built-in substitute for when none is available.
/// </summary>
/// <remarks>
/// Rules: one per line, the first white-space-separated word; <c>//</c> starts a comment line; <c>*.</c> is a
/// wildcard for exactly one leftmost label; <c>!</c> marks an exception, which beats every other rule and stands for
/// its own name minus the leftmost label. When no rule matches, the prevailing rule is <c>*</c> (the top-level
/// label). Unicode rules are kept in their A-label form so ASCII domain names compare directly.
/// </remarks>
public sealed class PublicSuffixList
{
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = false };

    // Fallback rules: the common two-level registries, so that example.co.uk is an organizational domain.
    private static readonly string[] FallbackRules =
    [
        "co.uk", "org.uk", "me.uk", "ltd.uk", "plc.uk", "net.uk", "ac.uk", "gov.uk", "sch.uk", "nhs.uk",
        "com.au", "net.au", "org.au", "edu.au", "gov.au", "asn.au", "id.au",
        "co.nz", "net.nz", "org.nz", "ac.nz", "govt.nz",
        "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp",
        "co.za", "org.za", "com.br", "net.br", "org.br", "com.cn", "net.cn", "org.cn", "gov.cn",
        "com.mx", "co.in", "co.kr", "co.il", "com.tr", "com.tw", "com.hk", "com.sg", "co.id", "com.ar",
    ];

    private readonly HashSet<string> _rules;
    private readonly HashSet<string> _wildcards;
    private readonly HashSet<string> _exceptions;

    private PublicSuffixList(HashSet<string> rules, HashSet<string> wildcards, HashSet<string> exceptions)
    {
        _rules = rules;
        _wildcards = wildcards;
        _exceptions = exceptions;
    }

    /// <summary>
    /// The built-in substitute: the organizational domain is the last two labels, or three under a few common
    /// two-level registries such as <c>co.uk</c> and <c>com.au</c>. Less exact than the real list.
    /// </summary>
    public static PublicSuffixList Fallback { get; } = Parse(FallbackRules);

    /// <summary>How many rules were read (exact, wildcard and exception rules together).</summary>
    public int RuleCount => _rules.Count + _wildcards.Count + _exceptions.Count;

    /// <summary>Parses the list from its text.</summary>
    public static PublicSuffixList Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(text.Split('\n'));
    }

    /// <summary>Parses the list from its lines; lines that are not rules are skipped.</summary>
    public static PublicSuffixList Parse(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var rules = new HashSet<string>(StringComparer.Ordinal);
        var wildcards = new HashSet<string>(StringComparer.Ordinal);
        var exceptions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var text = line.AsSpan().Trim();
            if (text.IsEmpty || text.StartsWith("//"))
            {
                continue;
            }

            var end = text.IndexOfAny(' ', '\t');
            var rule = (end < 0 ? text : text[..end]).ToString();
            var set = rules;
            if (rule.StartsWith('!'))
            {
                set = exceptions;
                rule = rule[1..];
            }
            else if (rule.StartsWith("*.", StringComparison.Ordinal))
            {
                set = wildcards;
                rule = rule[2..];
            }
            else if (rule == "*")
            {
                // The implicit default rule; nothing to store.
                continue;
            }

            if (ToAscii(rule) is { } ascii)
            {
                set.Add(ascii);
            }
        }

        return new PublicSuffixList(rules, wildcards, exceptions);
    }

    /// <summary>The number of labels of the public suffix of an ASCII domain name (at least 1).</summary>
    public int PublicSuffixLabelCount(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var labels = domain.TrimEnd('.').ToLowerInvariant().Split('.');
        var best = 1;
        for (var k = 1; k <= labels.Length; k++)
        {
            var suffix = string.Join('.', labels, labels.Length - k, k);
            if (_exceptions.Contains(suffix))
            {
                // An exception rule prevails over all others; its public suffix drops the leftmost label.
                return k - 1;
            }

            if (_rules.Contains(suffix))
            {
                best = Math.Max(best, k);
            }

            if (k >= 2 && _wildcards.Contains(string.Join('.', labels, labels.Length - k + 1, k - 1)))
            {
                best = Math.Max(best, k);
            }
        }

        return best;
    }

    /// <summary>
    /// The organizational domain (RFC 7489 §3.2): the public suffix plus one label. A name that is itself a public
    /// suffix is its own organizational domain. Input and output are lower-case ASCII without a trailing dot.
    /// </summary>
    public string GetOrganizationalDomain(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var name = domain.TrimEnd('.').ToLowerInvariant();
        var labels = name.Split('.');
        var suffix = PublicSuffixLabelCount(name);
        return labels.Length <= suffix ? name : string.Join('.', labels, labels.Length - suffix - 1, suffix + 1);
    }

    private static string? ToAscii(string rule)
    {
        try
        {
            return (Ascii.IsValid(rule) ? rule : Idn.GetAscii(rule)).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
