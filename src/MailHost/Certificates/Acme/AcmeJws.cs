using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace MailHost.Certificates.Acme;

/// <summary>
/// The body of every ACME POST: a JWS in flattened JSON serialization (RFC 7515 §7.2.2) whose protected header carries
/// <c>alg</c>, <c>nonce</c> and <c>url</c>, and either the account's <c>jwk</c> (newAccount only) or its <c>kid</c>, the
/// account URL (RFC 8555 §6.2).
/// </summary>
internal static class AcmeJws
{
    /// <summary>The media type of the request body (RFC 8555 §6.2).</summary>
    public const string ContentType = "application/jose+json";

    /// <summary>
    /// Signs <paramref name="payload"/> for a POST to <paramref name="url"/>. A null payload makes a POST-as-GET, whose
    /// payload is the empty string (RFC 8555 §6.3), which is not the same as <c>{}</c> (responding to a challenge).
    /// </summary>
    /// <param name="key">The account key.</param>
    /// <param name="url">The URL posted to; RFC 8555 §6.4 puts it in the header so a signed request cannot be replayed elsewhere.</param>
    /// <param name="nonce">A nonce the server gave and has not seen back yet (RFC 8555 §6.5).</param>
    /// <param name="keyId">The account URL; null to send the public key instead (only newAccount, RFC 8555 §7.3).</param>
    /// <param name="payload">The JSON payload, when not <paramref name="postAsGet"/>.</param>
    /// <param name="postAsGet">Whether this is a POST-as-GET with an empty payload.</param>
    public static byte[] Sign(AcmeAccountKey key, string url, string nonce, string? keyId, ReadOnlySpan<byte> payload, bool postAsGet)
    {
        ArgumentNullException.ThrowIfNull(key);
        var header = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(header))
        {
            writer.WriteStartObject();
            writer.WriteString("alg", AcmeAccountKey.Algorithm);
            if (keyId is null)
            {
                writer.WritePropertyName("jwk");
                writer.WriteRawValue(key.JsonWebKey, skipInputValidation: true);
            }
            else
            {
                writer.WriteString("kid", keyId);
            }

            writer.WriteString("nonce", nonce);
            writer.WriteString("url", url);
            writer.WriteEndObject();
        }

        var protectedHeader = Base64Url.EncodeToString(header.WrittenSpan);
        var encodedPayload = postAsGet ? "" : Base64Url.EncodeToString(payload);

        // RFC 7515 §5.1: the signing input is ASCII(BASE64URL(header) || '.' || BASE64URL(payload)).
        var signature = key.Sign(Encoding.ASCII.GetBytes(protectedHeader + "." + encodedPayload));

        var body = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteString("protected", protectedHeader);
            writer.WriteString("payload", encodedPayload);
            writer.WriteString("signature", Base64Url.EncodeToString(signature));
            writer.WriteEndObject();
        }

        return body.WrittenSpan.ToArray();
    }
}
