using System.Buffers;
using System.Text;

namespace MailHost.Protocols.Sasl;

/// <summary>
/// The grammar OAUTHBEARER (RFC 7628 §3.1) and XOAUTH2 share: <c>key=value</c> pairs each ended by <c>^A</c> (%x01),
/// the list ended by an empty pair, and an <c>auth</c> value that is an HTTP <c>Authorization</c> payload
/// (<c>Bearer</c> and an RFC 6750 b64token).
/// </summary>
internal static class SaslBearerSyntax
{
    /// <summary>RFC 7628 §3.1: kvsep = %x01.</summary>
    public const byte Separator = 0x01;

    /// <summary>
    /// The longest bearer token accepted, in characters. Access tokens are JWTs of one to a few kilobytes (one that
    /// lists many groups passes 4 KB); a SASL response of 12,288 base64 octets holds 9,216 bytes, all of which a token
    /// may use.
    /// </summary>
    public const int MaxTokenLength = SaslWireFormat.MaxDecodedLength;

    /// <summary>The most key/value pairs in one message: RFC 7628 defines three keys; the rest are ignored extensions.</summary>
    public const int MaxPairs = 16;

    // RFC 7628 §3.1: key = 1*(ALPHA)
    private static readonly SearchValues<byte> KeyChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    // RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    private static readonly SearchValues<byte> TokenChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/"u8);

    /// <summary>
    /// Parses <c>*kvpair kvsep</c> (RFC 7628 §3.1) that must run to the end of <paramref name="input"/>, adding each
    /// pair to <paramref name="pairs"/> with its value as a range of <paramref name="input"/>. Returns an error text
    /// for logs, or <see langword="null"/>. Values are not checked here: each key has its own rule.
    /// </summary>
    public static string? ParsePairs(ReadOnlySpan<byte> input, List<Pair> pairs)
    {
        var position = 0;
        while (true)
        {
            var rest = input[position..];
            var end = rest.IndexOf(Separator);
            if (end < 0)
            {
                return "a key/value pair lacks its ^A terminator";
            }

            if (end == 0)
            {
                // The empty pair ends the list: client-resp = gs2-header kvsep *kvpair kvsep.
                return position + 1 == input.Length ? null : "data follows the final ^A";
            }

            if (pairs.Count == MaxPairs)
            {
                return "too many key/value pairs";
            }

            var pair = rest[..end];
            var equals = pair.IndexOf((byte)'=');
            if (equals <= 0 || pair[..equals].ContainsAnyExcept(KeyChars))
            {
                return "a key/value pair has no key of letters followed by '='";
            }

            var key = Encoding.ASCII.GetString(pair[..equals]);
            foreach (var seen in pairs)
            {
                if (seen.Key == key)
                {
                    return "a key appears twice";
                }
            }

            pairs.Add(new Pair(key, (position + equals + 1)..(position + end)));
            position += end + 1;
        }
    }

    /// <summary>RFC 7628 §3.1: value = *(VCHAR / SP / HTAB / CR / LF).</summary>
    public static bool IsValue(ReadOnlySpan<byte> value)
    {
        foreach (var b in value)
        {
            if (b is not ((>= 0x21 and <= 0x7E) or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Reads an <c>auth</c> value: <c>Bearer 1*SP b64token</c> (RFC 6750 §2.1; the scheme is case-insensitive, RFC 9110
    /// §11.1). Returns the step to go on with: <see langword="null"/> and the token, or a failure (an unknown scheme such
    /// as RFC 7628 §4.2's OAuth 1.0a is <see cref="SaslFailure.Unsupported"/>).
    /// </summary>
    public static SaslStep? ParseBearerCredentials(ReadOnlySpan<byte> value, string mechanism, string? requestedUser, out string? token)
    {
        token = null;
        var space = value.IndexOf((byte)' ');
        if (space <= 0)
        {
            return SaslStep.Fail(SaslFailure.Malformed, $"{mechanism} auth value is not 'Bearer <token>'.", authenticationId: requestedUser);
        }

        if (!Ascii.EqualsIgnoreCase(value[..space], "Bearer"u8))
        {
            return SaslStep.Fail(SaslFailure.Unsupported, $"{mechanism} auth value uses a scheme other than Bearer.", authenticationId: requestedUser);
        }

        var credentials = value[space..].TrimStart((byte)' ');
        var body = credentials.TrimEnd((byte)'=');
        if (body.IsEmpty || body.ContainsAnyExcept(TokenChars) || credentials.Length > MaxTokenLength)
        {
            return SaslStep.Fail(SaslFailure.Malformed, $"{mechanism} bearer token is empty, too long or not a b64token.", authenticationId: requestedUser);
        }

        token = Encoding.ASCII.GetString(credentials);
        return null;
    }

    /// <summary>Whether <paramref name="name"/> is one a login may be: no control characters (C0, DEL).</summary>
    public static bool IsPrintable(ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One key and where its value lies in the message.</summary>
    public readonly record struct Pair(string Key, Range Value);
}
