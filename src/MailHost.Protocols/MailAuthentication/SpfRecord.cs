using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MailHost.Protocols.MailAuthentication;

/// <summary>
/// A parsed SPF record (RFC 7208 §4.6, ABNF in §12): the directives in order and the <c>redirect</c> and
/// <c>exp</c> modifiers. Parsing is all-or-nothing: §4.6 says any syntax error anywhere makes the record a
/// permerror, so <see cref="TryParse"/> never returns a partial record.
/// </summary>
public sealed class SpfRecord
{
    private const string Version = "v=spf1";

    private SpfRecord(IReadOnlyList<SpfMechanism> mechanisms, SpfMacroString? redirect, SpfMacroString? explanation)
    {
        Mechanisms = mechanisms;
        Redirect = redirect;
        Explanation = explanation;
    }

    /// <summary>The directives in evaluation order.</summary>
    public IReadOnlyList<SpfMechanism> Mechanisms { get; }

    /// <summary>The <c>redirect=</c> target (§6.1), or <see langword="null"/>.</summary>
    public SpfMacroString? Redirect { get; }

    /// <summary>The <c>exp=</c> target (§6.2), or <see langword="null"/>. Parsed; explanations are not fetched.</summary>
    public SpfMacroString? Explanation { get; }

    /// <summary>Whether an <c>all</c> mechanism appears anywhere; §6.1 then ignores <see cref="Redirect"/>.</summary>
    public bool HasAll => Mechanisms.Any(m => m.Kind == SpfMechanismKind.All);

    /// <summary>
    /// Record selection (§4.5): whether a TXT string is an SPF version 1 record, i.e. begins with exactly
    /// <c>v=spf1</c> (any case) followed by a space or its end. <c>v=spf10</c> is not one.
    /// </summary>
    public static bool IsSpfRecord(string? txt)
        => txt is not null
            && txt.StartsWith(Version, StringComparison.OrdinalIgnoreCase)
            && (txt.Length == Version.Length || txt[Version.Length] == ' ');

    /// <summary>Parses a whole record (one that <see cref="IsSpfRecord"/> selected); the error names the offending term.</summary>
    public static bool TryParse(string txt, out SpfRecord? record, out string? error)
    {
        ArgumentNullException.ThrowIfNull(txt);
        record = null;
        if (!IsSpfRecord(txt))
        {
            error = "not an SPF version 1 record";
            return false;
        }

        var mechanisms = new List<SpfMechanism>();
        SpfMacroString? redirect = null;
        SpfMacroString? explanation = null;

        // terms = *( 1*SP ( directive / modifier ) ), then *SP: terms are separated by spaces only.
        foreach (var term in txt[Version.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (IsModifier(term, out var name, out var value))
            {
                if (name.Equals("redirect", StringComparison.OrdinalIgnoreCase) || name.Equals("exp", StringComparison.OrdinalIgnoreCase))
                {
                    var isRedirect = name.Length == "redirect".Length;

                    // §6: redirect and exp MUST NOT appear more than once each.
                    if ((isRedirect ? redirect : explanation) is not null)
                    {
                        error = $"'{name}' appears more than once";
                        return false;
                    }

                    if (!SpfMacroString.TryParseDomainSpec(value, out var spec, out error))
                    {
                        return false;
                    }

                    if (isRedirect)
                    {
                        redirect = spec;
                    }
                    else
                    {
                        explanation = spec;
                    }
                }
                else if (value.Length > 0 && !SpfMacroString.TryParse(value, explanation: true, out _, out error))
                {
                    // §6: unknown modifiers are ignored, but their syntax must still be right.
                    return false;
                }

                continue;
            }

            if (!TryParseDirective(term, out var mechanism, out error))
            {
                return false;
            }

            mechanisms.Add(mechanism!);
        }

        error = null;
        record = new SpfRecord(mechanisms, redirect, explanation);
        return true;
    }

    /// <summary>modifier: name "=" value, name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ).</summary>
    private static bool IsModifier(string term, out string name, out string value)
    {
        name = value = "";
        if (term.Length == 0 || !char.IsAsciiLetter(term[0]))
        {
            return false;
        }

        var i = 1;
        while (i < term.Length && (char.IsAsciiLetterOrDigit(term[i]) || term[i] is '-' or '_' or '.'))
        {
            i++;
        }

        if (i >= term.Length || term[i] != '=')
        {
            return false;
        }

        name = term[..i];
        value = term[(i + 1)..];
        return true;
    }

    private static bool TryParseDirective(string term, out SpfMechanism? mechanism, out string? error)
    {
        mechanism = null;
        var qualifier = term[0] switch
        {
            '+' => SpfQualifier.Pass,
            '-' => SpfQualifier.Fail,
            '~' => SpfQualifier.SoftFail,
            '?' => SpfQualifier.Neutral,
            _ => (SpfQualifier?)null,
        };
        var body = qualifier is null ? term : term[1..];
        var nameEnd = body.IndexOfAny([':', '/']);
        var name = nameEnd < 0 ? body : body[..nameEnd];
        var rest = nameEnd < 0 ? "" : body[nameEnd..];
        SpfMechanismKind? kind = name.ToLowerInvariant() switch
        {
            "all" => SpfMechanismKind.All,
            "include" => SpfMechanismKind.Include,
            "a" => SpfMechanismKind.A,
            "mx" => SpfMechanismKind.Mx,
            "ptr" => SpfMechanismKind.Ptr,
            "ip4" => SpfMechanismKind.Ip4,
            "ip6" => SpfMechanismKind.Ip6,
            "exists" => SpfMechanismKind.Exists,
            _ => null,
        };
        if (kind is null)
        {
            error = $"unknown mechanism '{term}'";
            return false;
        }

        var result = new SpfMechanism(qualifier ?? SpfQualifier.Pass, kind.Value);
        error = null;
        switch (kind.Value)
        {
            case SpfMechanismKind.All:
                if (rest.Length > 0)
                {
                    error = $"'{term}': all takes no argument";
                    return false;
                }

                break;

            case SpfMechanismKind.Include:
            case SpfMechanismKind.Exists:
                if (!rest.StartsWith(':') || !SpfMacroString.TryParseDomainSpec(rest[1..], out var target, out error))
                {
                    error = $"'{term}': {error ?? "a domain-spec is required"}";
                    return false;
                }

                result = result with { DomainSpec = target };
                break;

            case SpfMechanismKind.Ptr:
                if (rest.Length > 0)
                {
                    if (!rest.StartsWith(':') || !SpfMacroString.TryParseDomainSpec(rest[1..], out var ptrTarget, out error))
                    {
                        error = $"'{term}': {error ?? "a domain-spec or nothing must follow"}";
                        return false;
                    }

                    result = result with { DomainSpec = ptrTarget };
                }

                break;

            case SpfMechanismKind.A:
            case SpfMechanismKind.Mx:
                if (!TrySplitDualCidr(rest, out var head, out var ip4Length, out var ip6Length, out error))
                {
                    error = $"'{term}': {error}";
                    return false;
                }

                if (head.Length > 0)
                {
                    if (!head.StartsWith(':') || !SpfMacroString.TryParseDomainSpec(head[1..], out var hostTarget, out error))
                    {
                        error = $"'{term}': {error ?? "a domain-spec or a CIDR length must follow"}";
                        return false;
                    }

                    result = result with { DomainSpec = hostTarget };
                }

                result = result with { Ip4PrefixLength = ip4Length ?? 32, Ip6PrefixLength = ip6Length ?? 128 };
                break;

            case SpfMechanismKind.Ip4:
            case SpfMechanismKind.Ip6:
                if (!TryParseNetwork(kind.Value, rest, out var network, out var prefix))
                {
                    error = $"'{term}': not a valid {(kind.Value == SpfMechanismKind.Ip4 ? "ip4" : "ip6")} network";
                    return false;
                }

                result = kind.Value == SpfMechanismKind.Ip4
                    ? result with { Network = network, Ip4PrefixLength = prefix }
                    : result with { Network = network, Ip6PrefixLength = prefix };
                break;
        }

        mechanism = result;
        return true;
    }

    /// <summary>dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ], taken from the end of the argument.</summary>
    private static bool TrySplitDualCidr(string text, out string head, out int? ip4, out int? ip6, out string? error)
    {
        head = text;
        ip4 = ip6 = null;
        error = null;
        var doubleSlash = head.LastIndexOf("//", StringComparison.Ordinal);
        if (doubleSlash >= 0 && IsDigits(head.AsSpan(doubleSlash + 2)))
        {
            if (!TryParseCidrLength(head.AsSpan(doubleSlash + 2), 128, out var length))
            {
                error = "the IPv6 CIDR length must be 0 to 128 without leading zeros";
                return false;
            }

            ip6 = length;
            head = head[..doubleSlash];
        }

        var slash = head.LastIndexOf('/');
        if (slash >= 0 && IsDigits(head.AsSpan(slash + 1)))
        {
            if (!TryParseCidrLength(head.AsSpan(slash + 1), 32, out var length))
            {
                error = "the IPv4 CIDR length must be 0 to 32 without leading zeros";
                return false;
            }

            ip4 = length;
            head = head[..slash];
        }

        return true;
    }

    private static bool TryParseNetwork(SpfMechanismKind kind, string rest, out IPAddress? network, out int prefix)
    {
        network = null;
        var max = kind == SpfMechanismKind.Ip4 ? 32 : 128;
        prefix = max;
        if (!rest.StartsWith(':'))
        {
            return false;
        }

        var text = rest.AsSpan(1);
        var slash = text.IndexOf('/');
        if (slash >= 0)
        {
            if (!TryParseCidrLength(text[(slash + 1)..], max, out prefix))
            {
                return false;
            }

            text = text[..slash];
        }

        if (kind == SpfMechanismKind.Ip4)
        {
            return TryParseDottedQuad(text, out network);
        }

        // ip6-network = IPv6address (RFC 4291 §2.2): no zone index, no brackets.
        if (text.IndexOfAny('%', '[', ']') >= 0 || !IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        network = v6;
        return true;
    }

    /// <summary>ip4-network = qnum "." qnum "." qnum "." qnum; qnum is 0 to 255 without leading zeros.</summary>
    private static bool TryParseDottedQuad(ReadOnlySpan<char> text, out IPAddress? address)
    {
        address = null;
        Span<byte> bytes = stackalloc byte[4];
        var index = 0;
        foreach (var range in text.Split('.'))
        {
            var part = text[range];
            if (index == 4 || part.IsEmpty || part.Length > 3 || !IsDigits(part) || (part.Length > 1 && part[0] == '0'))
            {
                return false;
            }

            var value = int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture);
            if (value > 255)
            {
                return false;
            }

            bytes[index++] = (byte)value;
        }

        if (index != 4)
        {
            return false;
        }

        address = new IPAddress(bytes);
        return true;
    }

    private static bool TryParseCidrLength(ReadOnlySpan<char> digits, int max, out int length)
    {
        length = 0;
        return digits.Length is > 0 and <= 3
            && IsDigits(digits)
            && (digits.Length == 1 || digits[0] != '0')
            && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out length)
            && length <= max;
    }

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
