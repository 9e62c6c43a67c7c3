using MailHost.Storage.Mime;
using MimeKit.Encodings;

namespace MailHost.Imap.Handlers;

/// <summary>A streaming decoder for one of the content-transfer-encodings BINARY undoes (RFC 2045 §6.7, §6.8).</summary>
internal sealed class ImapTransferDecoder
{
    private readonly Base64Decoder? _base64;
    private readonly QuotedPrintableBodyDecoder? _quotedPrintable;

    private ImapTransferDecoder(Base64Decoder? base64, QuotedPrintableBodyDecoder? quotedPrintable)
    {
        _base64 = base64;
        _quotedPrintable = quotedPrintable;
    }

    /// <summary>A decoder for <paramref name="encoding"/> (upper case), or null for one the server cannot decode.</summary>
    public static ImapTransferDecoder? Create(string encoding) => encoding switch
    {
        "BASE64" => new ImapTransferDecoder(new Base64Decoder(), null),
        "QUOTED-PRINTABLE" => new ImapTransferDecoder(null, new QuotedPrintableBodyDecoder()),
        _ => null,
    };

    public int GetMaxOutputLength(int inputLength) => _base64 is not null
        ? _base64.EstimateOutputLength(inputLength)
        : QuotedPrintableBodyDecoder.GetMaxOutputLength(inputLength);

    public int Decode(byte[] input, int count, byte[] output) => _base64 is not null
        ? _base64.Decode(input, 0, count, output)
        : _quotedPrintable!.Decode(input.AsSpan(0, count), output);

    /// <summary>Ends the part. Base64 drops an incomplete final quantum; quoted-printable releases what it held.</summary>
    public int Flush(byte[] output) => _quotedPrintable?.Flush(output) ?? 0;

    public void Reset()
    {
        _base64?.Reset();
        _quotedPrintable?.Reset();
    }
}
