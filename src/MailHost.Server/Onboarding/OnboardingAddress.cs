using System.Diagnostics.CodeAnalysis;
using MailHost.Accounts;

namespace MailHost.Server.Onboarding;

/// <summary>The e-mail address a client asks settings for, in the directory's canonical form.</summary>
internal sealed record OnboardingAddress(string Address, string LocalPart, string Domain)
{
    /// <summary>
    /// Reads <paramref name="text"/> as an address (canonicalised as logins are: NFC, lower case, IDNA domain). Whether
    /// an account has it is never looked up: every valid address gets the same kind of answer.
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out OnboardingAddress? address)
    {
        address = null;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 320)
        {
            return false;
        }

        var canonical = MailAddressCanonicalizer.CanonicalizeAddress(text.Trim());
        var at = canonical?.LastIndexOf('@') ?? -1;
        if (canonical is null || at <= 0 || at == canonical.Length - 1)
        {
            return false;
        }

        address = new OnboardingAddress(canonical, canonical[..at], canonical[(at + 1)..]);
        return true;
    }
}
