namespace MailHost.Protocols.Proxy;

/// <summary>The exact error texts of <see cref="ProxyProtocolParser"/>. None of them contains input bytes.</summary>
internal static class ProxyErrors
{
    public const string NotProxy = "not a PROXY protocol header";
    public const string V1TooLong = "PROXY v1 header too long";
    public const string V1BadLineEnd = "PROXY v1 header must end with CRLF";
    public const string V1Malformed = "PROXY v1 header malformed";
    public const string V1UnknownProtocol = "PROXY v1 unknown protocol";
    public const string V1BadSourceAddress = "PROXY v1 bad source address";
    public const string V1BadDestinationAddress = "PROXY v1 bad destination address";
    public const string V1BadSourcePort = "PROXY v1 bad source port";
    public const string V1BadDestinationPort = "PROXY v1 bad destination port";
    public const string V2BadVersion = "PROXY v2 unsupported version";
    public const string V2BadCommand = "PROXY v2 unsupported command";
    public const string V2BadFamily = "PROXY v2 unsupported address family or transport";
    public const string V2TooLong = "PROXY v2 header too long";
    public const string V2AddressTooShort = "PROXY v2 address block too short";
    public const string V2TlvTruncated = "PROXY v2 TLV truncated";
}
