namespace MailHost.Protocols.Tls;

/// <summary>What a TLS ClientHello says about the connection the client wants.</summary>
/// <param name="ServerName">
/// The RFC 6066 server_name of type host_name, as sent (printable ASCII, case preserved, at most 255 bytes),
/// or null when the client sent no host_name.
/// </param>
/// <param name="ApplicationProtocols">
/// The RFC 7301 protocol_name_list in the client's order, empty when the client sent no ALPN extension.
/// Each name is decoded byte-for-char (Latin-1), so ASCII names read naturally and binary names
/// (such as RFC 8701 GREASE values) stay lossless and distinct.
/// </param>
/// <param name="LegacyVersion">The ClientHello legacy_version / client_version field, for example 0x0303.</param>
/// <param name="SupportedVersions">
/// The RFC 8446 §4.2.1 supported_versions list in the client's order (GREASE values included),
/// empty when the extension is absent (TLS 1.2 and older clients).
/// </param>
public sealed record TlsClientHelloInfo(
    string? ServerName,
    IReadOnlyList<string> ApplicationProtocols,
    ushort LegacyVersion,
    IReadOnlyList<ushort> SupportedVersions)
{
    /// <summary>
    /// The highest protocol version the client offers: the largest non-GREASE entry of
    /// <see cref="SupportedVersions"/> when present (RFC 8446 §4.2.1: then legacy_version is ignored),
    /// otherwise <see cref="LegacyVersion"/>. 0x0301 is TLS 1.0, 0x0303 TLS 1.2, 0x0304 TLS 1.3.
    /// </summary>
    public ushort HighestOfferedVersion
    {
        get
        {
            ushort highest = 0;
            foreach (var version in SupportedVersions)
            {
                if (!TlsWire.IsGrease(version) && version > highest)
                {
                    highest = version;
                }
            }

            return highest != 0 ? highest : LegacyVersion;
        }
    }
}
