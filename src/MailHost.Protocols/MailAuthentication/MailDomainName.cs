using System.Globalization;
using System.Text;

namespace MailHost.Protocols.MailAuthentication;

/// <summary>
/// Domain-name rules shared by SPF, DKIM and DMARC: the ASCII (A-label) form used for DNS queries and
/// comparisons, validity as RFC 1035 §2.3.4 and RFC 7208 §4.3 state it, and subdomain tests. Nothing here throws
/// for bad input.
/// </summary>
public static class MailDomainName
{
    /// <summary>The longest domain name in text form without the trailing dot (RFC 1035 §2.3.4, RFC 7208 §7.3).</summary>
    public const int MaxLength = 253;

    /// <summary>The longest label (RFC 1035 §2.3.4).</summary>
    public const int MaxLabelLength = 63;

    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = false };

    /// <summary>
    /// The lower-case ASCII form of <paramref name="domain"/> without a trailing dot (U-labels become A-labels,
    /// RFC 5890), or <see langword="null"/> when it is not a well-formed multi-label name: an empty label, a label
    /// longer than 63 octets, more than 253 octets, white space or control characters, or a single label
    /// (RFC 7208 §4.3 asks for a "multi-label domain name").
    /// </summary>
    public static string? Normalize(string? domain)
    {
        if (string.IsNullOrEmpty(domain))
        {
            return null;
        }

        var name = domain.EndsWith('.') ? domain[..^1] : domain;
        if (name.Length == 0)
        {
            return null;
        }

        if (!Ascii.IsValid(name))
        {
            try
            {
                name = Idn.GetAscii(name);
            }
            catch (ArgumentException)
            {
                return null;
            }
        }

        name = name.ToLowerInvariant();
        return IsWellFormed(name) ? name : null;
    }

    /// <summary>
    /// Whether an ASCII name (no trailing dot) has at least two labels, each of 1 to 63 visible characters, at most
    /// 253 characters, and a top-level label that is not all digits.
    /// </summary>
    public static bool IsWellFormed(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxLength)
        {
            return false;
        }

        var labels = 0;
        ReadOnlySpan<char> last = default;
        foreach (var range in name.Split('.'))
        {
            var label = name[range];
            if (label.IsEmpty || label.Length > MaxLabelLength)
            {
                return false;
            }

            foreach (var c in label)
            {
                // Visible ASCII only: a DNS label may hold any octet, but space, controls and the address-literal and
                // mailbox delimiters never belong in a mail domain.
                if (c is <= ' ' or >= (char)0x7F or '[' or ']' or '@' or '\\')
                {
                    return false;
                }
            }

            labels++;
            last = label;
        }

        // RFC 3696 §2: a top-level label is never all-numeric, so 192.0.2.1 is an address, not a domain.
        return labels >= 2 && last.ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>Whether <paramref name="name"/> equals <paramref name="parent"/> or is below it (both ASCII, compared ignoring case).</summary>
    public static bool IsSameOrSubdomain(string name, string parent)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(parent);
        return name.Equals(parent, StringComparison.OrdinalIgnoreCase)
            || (name.Length > parent.Length
                && name[name.Length - parent.Length - 1] == '.'
                && name.EndsWith(parent, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// RFC 7208 §7.3: a name longer than 253 characters loses labels from the left until it fits; the result
    /// never starts with a dot.
    /// </summary>
    public static string TruncateLeft(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var trimmed = name.EndsWith('.') ? name[..^1] : name;
        while (trimmed.Length > MaxLength)
        {
            var dot = trimmed.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0)
            {
                return trimmed[^MaxLength..];
            }

            trimmed = trimmed[(dot + 1)..];
        }

        return trimmed;
    }
}
