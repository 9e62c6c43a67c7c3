namespace MailHost.Protocols.Tls;

/// <summary>Wire constants shared by the sniffer and the ClientHello parser.</summary>
internal static class TlsWire
{
    /// <summary>RFC 8446 §5.1: ContentType handshake(22).</summary>
    public const byte ContentTypeHandshake = 0x16;

    /// <summary>RFC 5246 Appendix E.1: the major version byte of SSL 3.0 and every TLS version.</summary>
    public const byte VersionMajor = 0x03;

    /// <summary>TLS 1.3 is 3.4 (RFC 8446 §4.2.1).</summary>
    public const byte MaxVersionMinor = 0x04;

    /// <summary>RFC 8446 §4: HandshakeType client_hello(1).</summary>
    public const byte HandshakeTypeClientHello = 0x01;

    /// <summary>RFC 8446 §5.1: type, legacy_record_version, length.</summary>
    public const int RecordHeaderLength = 5;

    /// <summary>RFC 8446 §4: msg_type and a 24-bit length.</summary>
    public const int HandshakeHeaderLength = 4;

    /// <summary>RFC 8446 §5.1: TLSPlaintext.length MUST NOT exceed 2^14.</summary>
    public const int MaxPlaintextLength = 1 << 14;

    /// <summary>RFC 6066 §3 extension server_name(0).</summary>
    public const ushort ExtensionServerName = 0;

    /// <summary>RFC 7301 §3.1 extension application_layer_protocol_negotiation(16).</summary>
    public const ushort ExtensionAlpn = 16;

    /// <summary>RFC 8446 §4.2.1 extension supported_versions(43).</summary>
    public const ushort ExtensionSupportedVersions = 43;

    /// <summary>RFC 6066 §3 NameType host_name(0).</summary>
    public const byte NameTypeHostName = 0;

    /// <summary>
    /// RFC 8701 §2: GREASE values have both bytes equal and of the form 0x?A (0x0A0A, 0x1A1A, ... 0xFAFA).
    /// </summary>
    public static bool IsGrease(ushort value) => (value & 0x0F0F) == 0x0A0A && (value >> 8) == (value & 0xFF);
}
