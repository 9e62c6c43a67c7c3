namespace MailHost.Protocols.Tls;

/// <summary>
/// ALPN rules for mail ports: refuse a TLS client that offers only HTTP-family protocols
/// (the ALPACA cross-protocol attack, RFC 9325 §3.8).
/// </summary>
public static class TlsAlpnPolicy
{
    /// <summary>
    /// True when <paramref name="offered"/> holds at least one protocol id and every id (ignoring RFC 8701
    /// GREASE ids) belongs to the HTTP family: http/0.9, http/1.0, http/1.1, h2, h2c, h3, spdy/*, and the
    /// h2-*/h3-* draft ids. An empty list (the client sent no ALPN) or any other id gives false.
    /// Ids compare case-insensitively.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="offered"/> is null.</exception>
    public static bool OffersOnlyForeignProtocols(IReadOnlyList<string> offered)
    {
        ArgumentNullException.ThrowIfNull(offered);
        var counted = 0;
        for (var i = 0; i < offered.Count; i++)
        {
            var id = offered[i];
            if (IsGrease(id))
            {
                // RFC 8701 §3.1: GREASE ids must be ignored; a browser sending one is still a browser.
                continue;
            }

            if (!IsHttpFamily(id))
            {
                return false;
            }

            counted++;
        }

        return counted > 0;
    }

    /// <summary>
    /// True for an HTTP-family ALPN id (IANA ALPN registry: http/0.9, http/1.0, http/1.1, h2, h2c, h3, spdy/*;
    /// also the h2-NN and h3-NN draft ids that older browsers still offer).
    /// </summary>
    public static bool IsHttpFamily(string protocol)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        return protocol.Equals("http/0.9", StringComparison.OrdinalIgnoreCase)
            || protocol.Equals("http/1.0", StringComparison.OrdinalIgnoreCase)
            || protocol.Equals("http/1.1", StringComparison.OrdinalIgnoreCase)
            || protocol.Equals("h2", StringComparison.OrdinalIgnoreCase)
            || protocol.Equals("h2c", StringComparison.OrdinalIgnoreCase)
            || protocol.Equals("h3", StringComparison.OrdinalIgnoreCase)
            || protocol.StartsWith("spdy/", StringComparison.OrdinalIgnoreCase)
            || protocol.StartsWith("h2-", StringComparison.OrdinalIgnoreCase)
            || protocol.StartsWith("h3-", StringComparison.OrdinalIgnoreCase);
    }

    // RFC 8701 §2: GREASE ALPN ids are two equal bytes 0x?A; TlsClientHelloInfo decodes bytes as Latin-1 chars.
    private static bool IsGrease(string id) =>
        id.Length == 2 && id[0] == id[1] && id[0] <= 0xFF && TlsWire.IsGrease((ushort)((id[0] << 8) | id[1]));
}
