using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace MailHost.Accounts;

/// <summary>
/// The secrets of app passwords: made by the server, easy to type on a phone, and found again by a keyed lookup tag.
/// </summary>
/// <remarks>
/// A secret is 24 symbols from an alphabet of 31 lowercase letters and digits without the ones easily taken for each
/// other (0, 1, i, l, o), shown in four groups of six: <c>k7mq2x-hv9dpa-3ncw8e-tr4fzu</c>. That is 24 × log2(31) ≈ 118
/// bits, drawn by the system's cryptographic generator. Clients may send it with or without the dashes or spaces and
/// in any case: everything is checked in the normal form, 24 lowercase symbols.
/// </remarks>
internal static class AppPasswordSecrets
{
    /// <summary>The symbols of a secret.</summary>
    public const string Alphabet = "abcdefghjkmnpqrstuvwxyz23456789";

    /// <summary>Symbols in the normal form of a secret.</summary>
    public const int SecretLength = GroupCount * GroupLength;

    /// <summary>The length of an app password's id.</summary>
    public const int IdLength = 8;

    /// <summary>The length of a lookup tag in bytes (128 bits).</summary>
    public const int LookupTagLength = 16;

    private const int GroupCount = 4;
    private const int GroupLength = 6;

    // Longer than any spelling of a secret anyone types (24 symbols with a separator or two between groups).
    private const int MaxSpelledLength = 64;

    // Keys the tag apart from every other use of the directory's server secret (the fake SCRAM salts).
    private static readonly byte[] TagPurpose = "mailhost-app-password-lookup\0"u8.ToArray();

    /// <summary>A new random secret in its display form.</summary>
    public static string NewSecret()
    {
        var symbols = RandomNumberGenerator.GetString(Alphabet, SecretLength);
        return string.Join('-', Enumerable.Range(0, GroupCount).Select(group => symbols.Substring(group * GroupLength, GroupLength)));
    }

    /// <summary>
    /// The normal form of <paramref name="password"/> when it is spelled like an app password secret: 24 symbols of the
    /// alphabet in any case, with any dashes and white space between them left out. Anything else (most main passwords)
    /// is not an app password and is checked as the main password only.
    /// </summary>
    public static bool TryNormalize(string? password, [NotNullWhen(true)] out string? normalized)
    {
        normalized = null;
        if (password is null || password.Length < SecretLength || password.Length > MaxSpelledLength)
        {
            return false;
        }

        Span<char> symbols = stackalloc char[SecretLength];
        var count = 0;
        foreach (var c in password)
        {
            if (c == '-' || char.IsWhiteSpace(c))
            {
                continue;
            }

            var lower = c is >= 'A' and <= 'Z' ? (char)(c + ('a' - 'A')) : c;
            if (count == SecretLength || !Alphabet.Contains(lower, StringComparison.Ordinal))
            {
                return false;
            }

            symbols[count++] = lower;
        }

        if (count != SecretLength)
        {
            return false;
        }

        normalized = new string(symbols);
        return true;
    }

    /// <summary>
    /// The lookup tag of a secret in normal form: HMAC-SHA-256 under the directory's server secret, cut to 128 bits. It
    /// is stored beside the secret's PBKDF2 record so that a login finds the one record to check with an index lookup
    /// instead of a derivation per app password.
    /// </summary>
    /// <remarks>
    /// A fast keyed hash is safe here, unlike for chosen passwords: with about 118 random bits there is no dictionary to
    /// try, so a stolen tag (and the key beside it) gives no shortcut past guessing the secret itself. The key keeps
    /// tags from matching across directories, and makes a tag useless to anyone who has the table but not the secret.
    /// </remarks>
    public static byte[] LookupTag(ReadOnlySpan<byte> serverSecret, string normalized)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        var input = new byte[TagPurpose.Length + normalized.Length];
        TagPurpose.CopyTo(input, 0);
        Encoding.ASCII.GetBytes(normalized, input.AsSpan(TagPurpose.Length));
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(serverSecret, input, mac);
        CryptographicOperations.ZeroMemory(input);
        return mac[..LookupTagLength].ToArray();
    }

    /// <summary>
    /// A new secret (display form, shown once) with what a directory stores of it: the PBKDF2 record of its normal form at
    /// <paramref name="iterations"/> and its lookup tag under <paramref name="serverSecret"/>.
    /// </summary>
    public static (string Secret, PasswordRecord Record, byte[] LookupTag) NewCredential(ReadOnlySpan<byte> serverSecret, int iterations)
    {
        var secret = NewSecret();
        TryNormalize(secret, out var normalized);
        return (secret, PasswordRecord.Create(normalized!, iterations), LookupTag(serverSecret, normalized!));
    }

    /// <summary>A new random id (32 bits: ids are looked up per account, and a clash is drawn again).</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdLength / 2));

    /// <summary>The id in canonical (lowercase) form, or <see langword="null"/> when <paramref name="id"/> cannot be an app password's id.</summary>
    public static string? CanonicalizeId(string? id) =>
        id is { Length: IdLength } && id.All(char.IsAsciiHexDigit) ? id.ToLowerInvariant() : null;
}
