using System.Globalization;
using System.Text;

namespace MailHost.Accounts;

/// <summary>
/// The one canonical form of account names, e-mail addresses and domains used across MailHost, so that a
/// login, a recipient and a directory entry compare with a plain ordinal comparison.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Unicode is normalised to NFC (not NFKC: a full-width "ａｌｉｃｅ" stays a different name from "alice").</item>
/// <item>Letters are lower-cased with the invariant culture (so "ADMİN" with a Turkish dotted İ never becomes "admin").</item>
/// <item>Domains lose one trailing dot and are converted to their IDNA A-label form (RFC 5891).</item>
/// <item>Control characters (C0, DEL, C1), whitespace and over-long input are refused.</item>
/// </list>
/// Local parts are compared case-insensitively, as every mainstream mail server does, although RFC 5321 §2.4
/// allows a host to treat them as case-sensitive.
/// </remarks>
public static class MailAddressCanonicalizer
{
    /// <summary>Longest account name accepted.</summary>
    public const int MaxAccountNameLength = 64;

    /// <summary>Longest address accepted (RFC 5321 §4.5.3.1.3 path limit less the angle brackets).</summary>
    public const int MaxAddressLength = 254;

    /// <summary>Longest local part (RFC 5321 §4.5.3.1.1).</summary>
    public const int MaxLocalPartLength = 64;

    /// <summary>Longest domain (RFC 5321 §4.5.3.1.2).</summary>
    public const int MaxDomainLength = 253;

    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    /// <summary>Canonical account name, or <see langword="null"/> if the input cannot be one.</summary>
    /// <remarks>Account names are letters, digits and <c>. _ -</c>; no <c>@</c>, so that an address and an
    /// account name can never be confused.</remarks>
    public static string? CanonicalizeAccountName(string? input)
    {
        if (string.IsNullOrEmpty(input) || input.Length > MaxAccountNameLength * 4)
        {
            return null;
        }

        var normalized = input.Normalize(NormalizationForm.FormC).ToLowerInvariant();
        if (normalized.Length > MaxAccountNameLength)
        {
            return null;
        }

        foreach (var c in normalized)
        {
            if (!(char.IsLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return null;
            }
        }

        return normalized;
    }

    /// <summary>Canonical domain (lower-case A-label, no trailing dot), or <see langword="null"/>.</summary>
    public static string? CanonicalizeDomain(string? input)
    {
        if (string.IsNullOrEmpty(input) || input.Length > MaxDomainLength * 4)
        {
            return null;
        }

        var domain = input.EndsWith('.') ? input[..^1] : input;
        if (domain.Length == 0 || HasControlOrSpace(domain))
        {
            return null;
        }

        string ascii;
        try
        {
            ascii = Idn.GetAscii(domain.Normalize(NormalizationForm.FormC)).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }

        return ascii.Length <= MaxDomainLength ? ascii : null;
    }

    /// <summary>Canonical <c>local@domain</c>, or <see langword="null"/> if the input is not a plain address.</summary>
    /// <remarks>Quoted local parts, source routes, address literals and <c>%</c> routing are refused here:
    /// they are never valid account addresses.</remarks>
    public static string? CanonicalizeAddress(string? input)
    {
        if (string.IsNullOrEmpty(input) || input.Length > MaxAddressLength * 4)
        {
            return null;
        }

        var at = input.LastIndexOf('@');
        if (at <= 0 || at == input.Length - 1)
        {
            return null;
        }

        var local = input[..at].Normalize(NormalizationForm.FormC).ToLowerInvariant();
        var domain = CanonicalizeDomain(input[(at + 1)..]);
        if (domain is null || local.Length > MaxLocalPartLength || !IsDotAtomLocalPart(local))
        {
            return null;
        }

        var address = local + "@" + domain;
        return address.Length <= MaxAddressLength ? address : null;
    }

    /// <summary>RFC 5322 dot-atom (with UTF-8 allowed, RFC 6532), without <c>%</c> and <c>!</c> routing characters.</summary>
    private static bool IsDotAtomLocalPart(string local)
    {
        if (local.Length == 0 || local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in local)
        {
            var ok = c > 0x7F ? !char.IsControl(c) && !char.IsWhiteSpace(c)
                : char.IsAsciiLetterOrDigit(c) || "!#$&'*+-/=?^_`{|}~.".Contains(c, StringComparison.Ordinal);
            if (!ok || c is '!' or '%')
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasControlOrSpace(string s)
    {
        foreach (var c in s)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                return true;
            }
        }

        return false;
    }
}
