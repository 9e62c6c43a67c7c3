using System.Buffers;
using System.Buffers.Binary;
using System.Net;

namespace MailHost.Protocols.Proxy;

/// <summary>
/// Parses the HAProxy PROXY protocol header (versions 1 and 2, haproxy doc/proxy-protocol.txt) at the start of
/// a connection. Pure: never consumes on Incomplete or Invalid, safe to call concurrently, never throws.
/// </summary>
/// <remarks>
/// The spec (§2) requires a receiver configured for the PROXY protocol to demand the header and never guess
/// whether it is present: anything that is not a valid header is <see cref="ProxyParseStatus.Invalid"/>.
/// </remarks>
public static class ProxyProtocolParser
{
    /// <summary>Spec §2.1: the longest v1 line, CRLF included ("PROXY UNKNOWN" with two full IPv6 addresses).</summary>
    public const int MaxV1Length = 107;

    /// <summary>The longest v2 header accepted, its 16 fixed bytes included. Larger headers are refused as Invalid.</summary>
    public const int MaxV2Length = 4096;

    private const int V2FixedLength = 16;

    // Spec §2.1 and §2.2.
    private static ReadOnlySpan<byte> V1Signature => "PROXY "u8;

    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>
    /// Parses a PROXY header from the first byte of <paramref name="buffer"/>.
    /// On <see cref="ProxyParseStatus.Complete"/>, <paramref name="header"/> is set and <paramref name="consumed"/>
    /// is the position right after the header. On <see cref="ProxyParseStatus.Incomplete"/> and
    /// <see cref="ProxyParseStatus.Invalid"/>, <paramref name="consumed"/> is <c>buffer.Start</c>; on Invalid,
    /// <paramref name="error"/> is a short fixed message (it never echoes input bytes).
    /// </summary>
    public static ProxyParseStatus TryParse(
        in ReadOnlySequence<byte> buffer, out SequencePosition consumed, out ProxyHeader? header, out string? error)
    {
        consumed = buffer.Start;
        header = null;
        error = null;

        Span<byte> head = stackalloc byte[V2FixedLength];
        var headLength = (int)Math.Min(buffer.Length, V2FixedLength);
        buffer.Slice(0, headLength).CopyTo(head);
        head = head[..headLength];
        if (head.IsEmpty)
        {
            return ProxyParseStatus.Incomplete;
        }

        ProxyParseStatus status;
        int length;
        if (head[0] == V1Signature[0])
        {
            status = ParseV1(buffer, head, out length, out header, out error);
        }
        else if (head[0] == V2Signature[0])
        {
            status = ParseV2(buffer, head, out length, out header, out error);
        }
        else
        {
            return Fail(out error, ProxyErrors.NotProxy);
        }

        if (status == ProxyParseStatus.Complete)
        {
            consumed = buffer.GetPosition(length);
        }

        return status;
    }

    private static ProxyParseStatus ParseV1(
        in ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> head, out int length, out ProxyHeader? header, out string? error)
    {
        length = 0;
        header = null;
        error = null;
        if (!StartsLike(head, V1Signature))
        {
            return Fail(out error, ProxyErrors.NotProxy);
        }

        Span<byte> line = stackalloc byte[MaxV1Length];
        var available = (int)Math.Min(buffer.Length, MaxV1Length);
        buffer.Slice(0, available).CopyTo(line);
        line = line[..available];

        // Spec §2.1: wait for CRLF within 107 bytes; "the receiver must not tolerate a single CR or LF
        // character to end the line".
        var end = line.IndexOfAny((byte)'\r', (byte)'\n');
        if (end < 0)
        {
            return available == MaxV1Length ? Fail(out error, ProxyErrors.V1TooLong) : ProxyParseStatus.Incomplete;
        }

        if (line[end] == '\n')
        {
            return Fail(out error, ProxyErrors.V1BadLineEnd);
        }

        if (end + 1 == available)
        {
            return end + 2 > MaxV1Length ? Fail(out error, ProxyErrors.V1TooLong) : ProxyParseStatus.Incomplete;
        }

        if (line[end + 1] != '\n')
        {
            return Fail(out error, ProxyErrors.V1BadLineEnd);
        }

        if (V1Signature.Length > end)
        {
            return Fail(out error, ProxyErrors.NotProxy);
        }

        length = end + 2;
        error = ProxyV1Grammar.TryParse(line[V1Signature.Length..end], out header);
        return error is null ? ProxyParseStatus.Complete : ProxyParseStatus.Invalid;
    }

    private static ProxyParseStatus ParseV2(
        in ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> head, out int length, out ProxyHeader? header, out string? error)
    {
        length = 0;
        header = null;
        error = null;
        if (!StartsLike(head, V2Signature))
        {
            return Fail(out error, ProxyErrors.NotProxy);
        }

        // Spec §2.2: the 13th byte is version (high nibble, must be 2) and command (low nibble: 0 LOCAL, 1 PROXY).
        // Each byte is checked as soon as it arrives so a bad sender is refused without waiting.
        if (head.Length > 12)
        {
            if (head[12] >> 4 != 2)
            {
                return Fail(out error, ProxyErrors.V2BadVersion);
            }

            if ((head[12] & 0x0F) > 1)
            {
                return Fail(out error, ProxyErrors.V2BadCommand);
            }
        }

        var isLocal = head.Length > 12 && (head[12] & 0x0F) == 0;

        // The 14th byte: address family (high nibble 0-3) and transport (low nibble 0-2). LOCAL ignores it.
        if (head.Length > 13 && !isLocal && (head[13] >> 4 > 3 || (head[13] & 0x0F) > 2))
        {
            return Fail(out error, ProxyErrors.V2BadFamily);
        }

        if (head.Length < V2FixedLength)
        {
            return ProxyParseStatus.Incomplete;
        }

        var total = V2FixedLength + BinaryPrimitives.ReadUInt16BigEndian(head[14..]);
        if (total > MaxV2Length)
        {
            return Fail(out error, ProxyErrors.V2TooLong);
        }

        if (buffer.Length < total)
        {
            return ProxyParseStatus.Incomplete;
        }

        length = total;
        if (isLocal)
        {
            // Spec §2.2: for LOCAL "the receiver must accept this connection as valid and must use the real
            // connection endpoints and discard the protocol block including the family which is ignored".
            header = new ProxyHeader(2, ProxyCommand.Local, null, null);
            return ProxyParseStatus.Complete;
        }

        var blockLength = total - V2FixedLength;
        var first = buffer.FirstSpan;
        var copy = first.Length >= total ? [] : stackalloc byte[MaxV2Length];
        var block = first.Length >= total ? first[V2FixedLength..total] : copy[..blockLength];
        if (first.Length < total)
        {
            buffer.Slice(V2FixedLength, blockLength).CopyTo(copy);
        }

        error = ParseV2Block(head[13], block, out header);
        return error is null ? ProxyParseStatus.Complete : ProxyParseStatus.Invalid;
    }

    private static string? ParseV2Block(byte familyAndTransport, ReadOnlySpan<byte> block, out ProxyHeader? header)
    {
        header = null;

        // Spec §2.2: the address block layouts of the valid family/transport bytes.
        int addressLength;
        int ipLength;
        switch (familyAndTransport)
        {
            case 0x00: // UNSPEC: "the receiver should ignore address information"
                addressLength = 0;
                ipLength = 0;
                break;
            case 0x11: // TCP over IPv4
            case 0x12: // UDP over IPv4
                addressLength = (2 * 4) + (2 * 2);
                ipLength = 4;
                break;
            case 0x21: // TCP over IPv6
            case 0x22: // UDP over IPv6
                addressLength = (2 * 16) + (2 * 2);
                ipLength = 16;
                break;
            case 0x31: // UNIX stream
            case 0x32: // UNIX datagram
                addressLength = 2 * 108;
                ipLength = 0;
                break;
            default:
                // A family with an unspecified transport (or the reverse) has no defined layout; the spec lets
                // the receiver accept it and use the real endpoints, so the block is skipped unread.
                header = new ProxyHeader(2, ProxyCommand.Proxy, null, null);
                return null;
        }

        if (block.Length < addressLength)
        {
            return ProxyErrors.V2AddressTooShort;
        }

        // Spec §2.2: what follows the addresses is a series of TLVs: type (1), length (2, big-endian), value.
        var tlvs = block[addressLength..];
        while (!tlvs.IsEmpty)
        {
            if (tlvs.Length < 3)
            {
                return ProxyErrors.V2TlvTruncated;
            }

            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(tlvs[1..]);
            if (3 + valueLength > tlvs.Length)
            {
                return ProxyErrors.V2TlvTruncated;
            }

            tlvs = tlvs[(3 + valueLength)..];
        }

        IPEndPoint? source = null;
        IPEndPoint? destination = null;
        if (ipLength != 0)
        {
            var sourceAddress = new IPAddress(block[..ipLength]);
            var destinationAddress = new IPAddress(block.Slice(ipLength, ipLength));
            int sourcePort = BinaryPrimitives.ReadUInt16BigEndian(block[(2 * ipLength)..]);
            int destinationPort = BinaryPrimitives.ReadUInt16BigEndian(block[((2 * ipLength) + 2)..]);
            source = new IPEndPoint(sourceAddress, sourcePort);
            destination = new IPEndPoint(destinationAddress, destinationPort);
        }

        header = new ProxyHeader(2, ProxyCommand.Proxy, source, destination);
        return null;
    }

    /// <summary>True when <paramref name="head"/> agrees with <paramref name="signature"/> as far as either goes.</summary>
    private static bool StartsLike(ReadOnlySpan<byte> head, ReadOnlySpan<byte> signature)
    {
        var n = Math.Min(head.Length, signature.Length);
        return head[..n].SequenceEqual(signature[..n]);
    }

    private static ProxyParseStatus Fail(out string? error, string message)
    {
        error = message;
        return ProxyParseStatus.Invalid;
    }
}
