using System.Buffers;
using System.Buffers.Text;

namespace MailHost.Protocols.Sasl;

/// <summary>
/// The line format every SASL profile here shares: challenges and responses travel base64-encoded
/// (IMAP <c>+ </c>, POP3 <c>+ </c>, SMTP <c>334 </c> challenges; RFC 9051 §6.2.2, RFC 5034 §4, RFC 4954 §4).
/// </summary>
public static class SaslWireFormat
{
    /// <summary>
    /// The longest client response accepted, in octets of base64 text without CRLF. RFC 4954 §4: "12288 octets is
    /// considered to be a sufficient line length limit"; a longer line fails with <see cref="SaslFailure.TooLong"/>
    /// (SMTP answers 500). The same limit applies to an initial response.
    /// </summary>
    public const int MaxResponseLength = 12288;

    /// <summary>The most bytes a response within <see cref="MaxResponseLength"/> decodes to.</summary>
    public const int MaxDecodedLength = MaxResponseLength / 4 * 3;

    private static readonly SearchValues<byte> Base64Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="u8);

    /// <summary>
    /// Decodes one client response line (without CRLF) into <paramref name="destination"/>, which must hold at least
    /// <see cref="MaxDecodedLength"/> bytes (or the decoded length of <paramref name="text"/>).
    /// </summary>
    /// <param name="text">The base64 text as the client sent it.</param>
    /// <param name="isInitialResponse">
    /// <see langword="true"/> for an initial response on the command line (SASL-IR, RFC 4959 / RFC 4954 §4), where
    /// <c>=</c> stands for an empty response and <c>*</c> is malformed; <see langword="false"/> for an answer to a
    /// challenge, where <c>*</c> cancels and an empty line is an empty response.
    /// </param>
    /// <param name="destination">Receives the decoded bytes.</param>
    /// <param name="written">How many bytes were decoded.</param>
    /// <param name="failure"><see cref="SaslFailure.Malformed"/>, <see cref="SaslFailure.Cancelled"/> or
    /// <see cref="SaslFailure.TooLong"/> when the method returns <see langword="false"/>.</param>
    /// <returns>Whether <paramref name="destination"/> holds a response.</returns>
    /// <remarks>
    /// Decoding is strict RFC 4648 base64 with padding: no whitespace, no URL alphabet. A lone <c>=</c> is also
    /// accepted as an empty answer to a challenge: it cannot be valid base64, and treating it as empty serves clients
    /// that reuse their SASL-IR encoder for continuations.
    /// </remarks>
    public static bool TryDecodeResponse(
        ReadOnlySpan<byte> text,
        bool isInitialResponse,
        Span<byte> destination,
        out int written,
        out SaslFailure failure)
    {
        written = 0;
        failure = default;
        if (text.Length > MaxResponseLength)
        {
            failure = SaslFailure.TooLong;
            return false;
        }

        if (text.Length == 1 && text[0] == (byte)'=')
        {
            return true;
        }

        if (text.Length == 1 && text[0] == (byte)'*')
        {
            failure = isInitialResponse ? SaslFailure.Malformed : SaslFailure.Cancelled;
            return false;
        }

        if (text.IsEmpty)
        {
            // RFC 4954 §4: an empty initial response is sent as "=", so an empty argument is no response at all.
            failure = isInitialResponse ? SaslFailure.Malformed : default;
            return !isInitialResponse;
        }

        if (text.Length % 4 != 0 || text.ContainsAnyExcept(Base64Alphabet))
        {
            failure = SaslFailure.Malformed;
            return false;
        }

        var status = Base64.DecodeFromUtf8(text, destination, out _, out written);
        if (status != OperationStatus.Done)
        {
            failure = status == OperationStatus.DestinationTooSmall
                ? throw new ArgumentException("The destination is too small for the decoded response.", nameof(destination))
                : SaslFailure.Malformed;
            written = 0;
            return false;
        }

        return true;
    }

    /// <summary>Base64-encodes a challenge (raw bytes) into the text a session writes after its prefix.</summary>
    public static byte[] EncodeChallenge(ReadOnlySpan<byte> challenge)
    {
        var text = new byte[Base64.GetMaxEncodedToUtf8Length(challenge.Length)];
        Base64.EncodeToUtf8(challenge, text, out _, out var written);
        return written == text.Length ? text : text[..written];
    }
}
