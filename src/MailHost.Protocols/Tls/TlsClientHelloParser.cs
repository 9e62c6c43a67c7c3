using System.Buffers;
using System.Text;

namespace MailHost.Protocols.Tls;

/// <summary>
/// Parses the TLS ClientHello at the start of a connection (RFC 8446 §4.1.2, and the RFC 5246 / RFC 2246
/// layouts of TLS 1.2 and 1.0), reassembling the handshake message when it spans several records.
/// Pure: peeks at the buffer and never consumes; safe to call concurrently; never throws for any input.
/// </summary>
public static class TlsClientHelloParser
{
    /// <summary>
    /// The largest handshake message accepted, header included. Real ClientHellos are well under 2 KiB;
    /// post-quantum key shares and padding stay far below this.
    /// </summary>
    public const int MaxHandshakeMessageLength = 64 * 1024;

    // RFC 1035 §2.3.4: a domain name is at most 255 octets.
    private const int MaxHostNameLength = 255;

    /// <summary>
    /// Parses a ClientHello from the first byte of <paramref name="buffer"/>.
    /// <see cref="TlsClientHelloParseStatus.Incomplete"/> until the whole handshake message is buffered;
    /// <see cref="TlsClientHelloParseStatus.Invalid"/> on a non-handshake record, a bad record version or length,
    /// a handshake message other than ClientHello or longer than <see cref="MaxHandshakeMessageLength"/>, or any
    /// malformed field; <see cref="TlsClientHelloParseStatus.Complete"/> with <paramref name="info"/> otherwise.
    /// Bytes after the ClientHello are ignored.
    /// </summary>
    public static TlsClientHelloParseStatus TryParse(in ReadOnlySequence<byte> buffer, out TlsClientHelloInfo? info)
    {
        info = null;
        var status = WalkRecords(buffer, [], out var messageLength, out var recordCount);
        if (status != TlsClientHelloParseStatus.Complete)
        {
            return status;
        }

        var first = buffer.FirstSpan;
        if (recordCount == 1 && first.Length >= TlsWire.RecordHeaderLength + messageLength)
        {
            // The usual case: one record in one segment; parse in place.
            return ParseMessage(first.Slice(TlsWire.RecordHeaderLength, messageLength), out info);
        }

        var rented = ArrayPool<byte>.Shared.Rent(messageLength);
        try
        {
            var message = rented.AsSpan(0, messageLength);
            WalkRecords(buffer, message, out _, out _);
            return ParseMessage(message, out info);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Walks TLS records from the start of <paramref name="buffer"/> until one handshake message is complete,
    /// copying its bytes (header included) into <paramref name="destination"/> when that is not empty.
    /// </summary>
    private static TlsClientHelloParseStatus WalkRecords(
        in ReadOnlySequence<byte> buffer, Span<byte> destination, out int messageLength, out int recordCount)
    {
        messageLength = -1;
        recordCount = 0;
        Span<byte> header = stackalloc byte[TlsWire.HandshakeHeaderLength];
        var have = 0;
        var reader = new SequenceReader<byte>(buffer);
        while (true)
        {
            // RFC 8446 §5.1: TLSPlaintext { ContentType type; ProtocolVersion legacy_record_version; uint16 length; }
            // §5.1 also forbids interleaving other record types with a fragmented handshake message.
            if (!reader.TryRead(out var contentType))
            {
                return TlsClientHelloParseStatus.Incomplete;
            }

            if (contentType != TlsWire.ContentTypeHandshake)
            {
                return TlsClientHelloParseStatus.Invalid;
            }

            if (!reader.TryRead(out var major))
            {
                return TlsClientHelloParseStatus.Incomplete;
            }

            if (major != TlsWire.VersionMajor)
            {
                return TlsClientHelloParseStatus.Invalid;
            }

            if (!reader.TryRead(out var minor))
            {
                return TlsClientHelloParseStatus.Incomplete;
            }

            if (minor > TlsWire.MaxVersionMinor)
            {
                return TlsClientHelloParseStatus.Invalid;
            }

            if (!reader.TryReadBigEndian(out short rawLength))
            {
                return TlsClientHelloParseStatus.Incomplete;
            }

            // RFC 8446 §5.1: no zero-length handshake fragments; plaintext records carry at most 2^14 bytes.
            int fragmentLeft = (ushort)rawLength;
            if (fragmentLeft is 0 or > TlsWire.MaxPlaintextLength)
            {
                return TlsClientHelloParseStatus.Invalid;
            }

            recordCount++;

            // The 4-byte handshake header itself may be split across records.
            while (have < TlsWire.HandshakeHeaderLength && fragmentLeft > 0)
            {
                if (!reader.TryRead(out var b))
                {
                    return TlsClientHelloParseStatus.Incomplete;
                }

                if (have == 0 && b != TlsWire.HandshakeTypeClientHello)
                {
                    return TlsClientHelloParseStatus.Invalid;
                }

                header[have] = b;
                if (!destination.IsEmpty)
                {
                    destination[have] = b;
                }

                have++;
                fragmentLeft--;
            }

            if (have < TlsWire.HandshakeHeaderLength)
            {
                continue;
            }

            if (messageLength < 0)
            {
                var bodyLength = (header[1] << 16) | (header[2] << 8) | header[3];
                if (bodyLength > MaxHandshakeMessageLength - TlsWire.HandshakeHeaderLength)
                {
                    return TlsClientHelloParseStatus.Invalid;
                }

                messageLength = TlsWire.HandshakeHeaderLength + bodyLength;
            }

            var take = Math.Min(messageLength - have, fragmentLeft);
            if (reader.Remaining < take)
            {
                return TlsClientHelloParseStatus.Incomplete;
            }

            if (!destination.IsEmpty)
            {
                reader.TryCopyTo(destination.Slice(have, take));
            }

            reader.Advance(take);
            have += take;
            if (have == messageLength)
            {
                return TlsClientHelloParseStatus.Complete;
            }
        }
    }

    /// <summary>Parses one whole handshake message (4-byte header included) known to be of type client_hello.</summary>
    private static TlsClientHelloParseStatus ParseMessage(ReadOnlySpan<byte> message, out TlsClientHelloInfo? info)
    {
        info = null;
        var reader = new TlsSpanReader(message[TlsWire.HandshakeHeaderLength..]);

        // RFC 8446 §4.1.2 (RFC 5246 §7.4.1.2 has the same prefix):
        //   ProtocolVersion legacy_version; Random random; opaque legacy_session_id<0..32>;
        //   CipherSuite cipher_suites<2..2^16-2>; opaque legacy_compression_methods<1..2^8-1>;
        //   Extension extensions<8..2^16-1>   (absent in TLS 1.0-1.2 hellos without extensions)
        if (!reader.TryReadUInt16(out var legacyVersion) || (legacyVersion >> 8) != TlsWire.VersionMajor)
        {
            return TlsClientHelloParseStatus.Invalid;
        }

        if (!reader.TrySkip(32)
            || !reader.TryReadVector8(out var sessionId) || sessionId.Length > 32
            || !reader.TryReadVector16(out var cipherSuites) || cipherSuites.Length < 2 || cipherSuites.Length % 2 != 0
            || !reader.TryReadVector8(out var compressionMethods) || compressionMethods.IsEmpty)
        {
            return TlsClientHelloParseStatus.Invalid;
        }

        string? serverName = null;
        List<string>? protocols = null;
        List<ushort>? versions = null;
        if (!reader.IsEmpty)
        {
            if (!reader.TryReadVector16(out var extensions) || !reader.IsEmpty
                || !TryParseExtensions(extensions, out serverName, out protocols, out versions))
            {
                return TlsClientHelloParseStatus.Invalid;
            }
        }

        info = new TlsClientHelloInfo(
            serverName,
            protocols is null ? [] : protocols.AsReadOnly(),
            legacyVersion,
            versions is null ? [] : versions.AsReadOnly());
        return TlsClientHelloParseStatus.Complete;
    }

    private static bool TryParseExtensions(
        ReadOnlySpan<byte> extensions, out string? serverName, out List<string>? protocols, out List<ushort>? versions)
    {
        serverName = null;
        protocols = null;
        versions = null;
        var seenServerName = false;
        var reader = new TlsSpanReader(extensions);
        while (!reader.IsEmpty)
        {
            // RFC 8446 §4.2: struct { ExtensionType extension_type; opaque extension_data<0..2^16-1>; } Extension;
            if (!reader.TryReadUInt16(out var type) || !reader.TryReadVector16(out var data))
            {
                return false;
            }

            // RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type in a given extension
            // block." Enforced for the ones we read, so no two parties can disagree about which one counts.
            switch (type)
            {
                case TlsWire.ExtensionServerName:
                    if (seenServerName || !TryParseServerName(data, out serverName))
                    {
                        return false;
                    }

                    seenServerName = true;
                    break;
                case TlsWire.ExtensionAlpn:
                    if (protocols is not null || !TryParseAlpn(data, out protocols))
                    {
                        return false;
                    }

                    break;
                case TlsWire.ExtensionSupportedVersions:
                    if (versions is not null || !TryParseSupportedVersions(data, out versions))
                    {
                        return false;
                    }

                    break;
                default:
                    break;
            }
        }

        return true;
    }

    private static bool TryParseServerName(ReadOnlySpan<byte> data, out string? hostName)
    {
        // RFC 6066 §3: struct { ServerName server_name_list<1..2^16-1> } ServerNameList;
        //   struct { NameType name_type; select (name_type) { case host_name: HostName; } name; } ServerName;
        //   opaque HostName<1..2^16-1>;
        // Every name type is read as a 16-bit vector so that unknown types can be skipped, as deployed stacks do.
        hostName = null;
        var outer = new TlsSpanReader(data);
        if (!outer.TryReadVector16(out var list) || !outer.IsEmpty || list.IsEmpty)
        {
            return false;
        }

        var reader = new TlsSpanReader(list);
        while (!reader.IsEmpty)
        {
            if (!reader.TryReadUInt8(out var nameType) || !reader.TryReadVector16(out var name))
            {
                return false;
            }

            if (nameType != TlsWire.NameTypeHostName)
            {
                continue;
            }

            // RFC 6066 §3: "The ServerNameList MUST NOT contain more than one name of the same name_type", and
            // HostName is "a byte string using ASCII encoding"; control and 8-bit bytes are refused outright.
            if (hostName is not null || name.IsEmpty || name.Length > MaxHostNameLength || !IsPrintableAscii(name))
            {
                return false;
            }

            hostName = Encoding.ASCII.GetString(name);
        }

        return true;
    }

    private static bool TryParseAlpn(ReadOnlySpan<byte> data, out List<string>? protocols)
    {
        // RFC 7301 §3.1: opaque ProtocolName<1..2^8-1>; struct { ProtocolName protocol_name_list<2..2^16-1> }
        // "Empty strings MUST NOT be included".
        protocols = null;
        var outer = new TlsSpanReader(data);
        if (!outer.TryReadVector16(out var list) || !outer.IsEmpty || list.Length < 2)
        {
            return false;
        }

        var result = new List<string>(4);
        var reader = new TlsSpanReader(list);
        while (!reader.IsEmpty)
        {
            if (!reader.TryReadVector8(out var name) || name.IsEmpty)
            {
                return false;
            }

            result.Add(Encoding.Latin1.GetString(name));
        }

        protocols = result;
        return true;
    }

    private static bool TryParseSupportedVersions(ReadOnlySpan<byte> data, out List<ushort>? versions)
    {
        // RFC 8446 §4.2.1: struct { ProtocolVersion versions<2..254>; } SupportedVersions (in a ClientHello).
        versions = null;
        var outer = new TlsSpanReader(data);
        if (!outer.TryReadVector8(out var list) || !outer.IsEmpty || list.Length < 2 || list.Length % 2 != 0)
        {
            return false;
        }

        var result = new List<ushort>(list.Length / 2);
        var reader = new TlsSpanReader(list);
        while (reader.TryReadUInt16(out var version))
        {
            result.Add(version);
        }

        versions = result;
        return true;
    }

    private static bool IsPrintableAscii(ReadOnlySpan<byte> bytes) => !bytes.ContainsAnyExceptInRange((byte)0x21, (byte)0x7E);
}
