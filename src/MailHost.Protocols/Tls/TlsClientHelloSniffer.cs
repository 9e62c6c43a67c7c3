using System.Buffers;

namespace MailHost.Protocols.Tls;

/// <summary>
/// Decides from the first six bytes of a connection whether the peer opened with a TLS ClientHello.
/// Pure and allocation-free; safe to call concurrently; never throws for any input.
/// </summary>
/// <remarks>
/// The six bytes are the TLS record header (RFC 8446 §5.1: content type, legacy record version, length)
/// followed by the handshake type (RFC 8446 §4). SSLv2-compatible hellos (first byte 0x80 or similar,
/// RFC 5246 Appendix E.2) are classified <see cref="TlsSniffResult.NotTls"/>: no client we serve sends them.
/// </remarks>
public static class TlsClientHelloSniffer
{
    /// <summary>The number of bytes after which <see cref="Classify(ReadOnlySpan{byte})"/> always decides.</summary>
    public const int BytesToDecide = 6;

    /// <summary>
    /// The largest record length accepted: 2^14 + 2048, the TLS 1.2 TLSCiphertext bound (RFC 5246 §6.2.3),
    /// which is more lenient than the 2^14 plaintext bound so that no real client is misread as plain text.
    /// </summary>
    public const int MaxRecordLength = (1 << 14) + 2048;

    /// <summary>
    /// Classifies the start of a connection. Returns <see cref="TlsSniffResult.NotTls"/> as soon as any byte
    /// rules TLS out, <see cref="TlsSniffResult.NeedMoreData"/> while fewer than <see cref="BytesToDecide"/>
    /// bytes are buffered and all of them fit, and <see cref="TlsSniffResult.ClientHello"/> once all six fit.
    /// Works for any segmentation of <paramref name="buffer"/>; looks at no byte past the sixth.
    /// </summary>
    public static TlsSniffResult Classify(in ReadOnlySequence<byte> buffer)
    {
        var first = buffer.FirstSpan;
        if (first.Length >= BytesToDecide || buffer.IsSingleSegment)
        {
            return Classify(first);
        }

        // Gather the first bytes segment by segment: cheaper than Slice + CopyTo for tiny lengths.
        Span<byte> head = stackalloc byte[BytesToDecide];
        var count = 0;
        foreach (var segment in buffer)
        {
            var span = segment.Span;
            var take = Math.Min(span.Length, BytesToDecide - count);
            span[..take].CopyTo(head[count..]);
            count += take;
            if (count == BytesToDecide)
            {
                break;
            }
        }

        return Classify(head[..count]);
    }

    /// <summary>Classifies the start of a connection held in one contiguous span; same contract as the sequence overload.</summary>
    public static TlsSniffResult Classify(ReadOnlySpan<byte> head)
    {
        // RFC 8446 §5.1: ContentType handshake(22).
        if (head.IsEmpty)
        {
            return TlsSniffResult.NeedMoreData;
        }

        if (head[0] != TlsWire.ContentTypeHandshake)
        {
            return TlsSniffResult.NotTls;
        }

        // RFC 8446 §5.1 legacy_record_version, and RFC 5246 Appendix E.1: every TLS version and SSLv3 use
        // major 3; minor 0 (SSL 3.0) to 4 (TLS 1.3) covers all of them.
        if (head.Length < 2)
        {
            return TlsSniffResult.NeedMoreData;
        }

        if (head[1] != TlsWire.VersionMajor)
        {
            return TlsSniffResult.NotTls;
        }

        if (head.Length < 3)
        {
            return TlsSniffResult.NeedMoreData;
        }

        if (head[2] > TlsWire.MaxVersionMinor)
        {
            return TlsSniffResult.NotTls;
        }

        // The high length byte alone can already exceed the bound.
        if (head.Length < 4)
        {
            return TlsSniffResult.NeedMoreData;
        }

        if (head[3] > (MaxRecordLength >> 8))
        {
            return TlsSniffResult.NotTls;
        }

        if (head.Length < 5)
        {
            return TlsSniffResult.NeedMoreData;
        }

        // RFC 8446 §5.1: zero-length handshake fragments MUST NOT be sent.
        var length = (head[3] << 8) | head[4];
        if (length is 0 or > MaxRecordLength)
        {
            return TlsSniffResult.NotTls;
        }

        if (head.Length < 6)
        {
            return TlsSniffResult.NeedMoreData;
        }

        // RFC 8446 §4: HandshakeType client_hello(1).
        return head[5] == TlsWire.HandshakeTypeClientHello ? TlsSniffResult.ClientHello : TlsSniffResult.NotTls;
    }
}
