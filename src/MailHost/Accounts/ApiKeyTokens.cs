using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MailHost.Accounts;

/// <summary>
/// The form of API key tokens, <c>mhk_&lt;id&gt;_&lt;secret&gt;</c>: a fixed prefix (so a leaked token is easy to
/// recognise and search for), the key's id (12 lowercase hexadecimal characters, 48 random bits: enough to find the
/// key, not meant to be secret) and its secret (32 random bytes, base64url without padding, RFC 4648 §5).
/// </summary>
internal static class ApiKeyTokens
{
    /// <summary>The prefix of every token.</summary>
    public const string Prefix = "mhk_";

    /// <summary>The length of a key's id.</summary>
    public const int IdLength = 12;

    /// <summary>The longest key name.</summary>
    public const int MaxNameLength = 64;

    private const int SecretBytes = 32;

    // 32 bytes are 256 bits: 43 base64url characters, the last one ending in 2 zero bits.
    private const int SecretLength = ((SecretBytes * 8) + 5) / 6;
    private const int TokenLength = 4 + IdLength + 1 + SecretLength;

    private static readonly SearchValues<char> Base64UrlCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private static readonly SearchValues<char> LowerHexCharacters = SearchValues.Create("0123456789abcdef");

    private static readonly SearchValues<char> HexCharacters = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>A new random key id.</summary>
    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdLength / 2));

    /// <summary>A new token for key <paramref name="id"/>, and the hash of its secret, the one thing stored.</summary>
    public static (string Token, byte[] SecretHash) NewToken(string id)
    {
        var secret = RandomNumberGenerator.GetBytes(SecretBytes);
        return (Prefix + id + "_" + Base64Url.EncodeToString(secret), SHA256.HashData(secret));
    }

    /// <summary>
    /// Splits a token into the key's id and the SHA-256 hash of its secret. Strict: exactly the form
    /// <see cref="NewToken"/> makes (no whitespace, no padding, no other spelling of the same bytes), so a key has one
    /// token.
    /// </summary>
    public static bool TryParse(string? token, out string id, out byte[] secretHash)
    {
        id = string.Empty;
        secretHash = [];
        if (token is not { Length: TokenLength } || !token.StartsWith(Prefix, StringComparison.Ordinal) || token[Prefix.Length + IdLength] != '_')
        {
            return false;
        }

        var idPart = token.AsSpan(Prefix.Length, IdLength);
        var secretPart = token.AsSpan(Prefix.Length + IdLength + 1);
        if (idPart.ContainsAnyExcept(LowerHexCharacters) || secretPart.ContainsAnyExcept(Base64UrlCharacters))
        {
            return false;
        }

        // The status form of the decoder: invalid data (such as set bits after the last byte, another spelling of the
        // same secret) is a value, not an exception. Encoding again must give back exactly what was sent.
        Span<byte> secret = stackalloc byte[SecretBytes];
        Span<char> again = stackalloc char[SecretLength];
        if (Base64Url.DecodeFromChars(secretPart, secret, out _, out var decoded) != OperationStatus.Done || decoded != SecretBytes
            || !Base64Url.TryEncodeToChars(secret, again, out var encoded) || encoded != SecretLength || !again.SequenceEqual(secretPart))
        {
            return false;
        }

        id = idPart.ToString();
        secretHash = SHA256.HashData(secret);
        return true;
    }

    /// <summary>The id in canonical (lowercase) form, or <see langword="null"/> when <paramref name="id"/> cannot be a key id.</summary>
    public static string? CanonicalizeId(string? id) =>
        id is { Length: IdLength } && !id.AsSpan().ContainsAnyExcept(HexCharacters) ? id.ToLowerInvariant() : null;

    /// <summary>
    /// Whether <paramref name="name"/> can name a key: 1 to <see cref="MaxNameLength"/> UTF-16 characters of well-formed
    /// text, not all white space, and no control, format or line-separating characters (they could carry terminal
    /// escapes into a listing, or reorder it with bidirectional overrides).
    /// </summary>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength)
        {
            return false;
        }

        var rest = name.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out var rune, out var used) != OperationStatus.Done
                || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                    or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse)
            {
                return false;
            }

            rest = rest[used..];
        }

        return true;
    }
}
