using MailHost.Protocols.Tls;

namespace MailHost.Fuzz.Targets;

/// <summary>The TLS ClientHello sniffer: the first bytes of a connection on an <c>Auto</c> port.</summary>
/// <remarks>
/// Invariants: whole and cut input give the same result; a result on a prefix never contradicts the result on the whole
/// (a prefix is Incomplete, or already the same Complete or Invalid); a server name is 1-255 characters of a host
/// name (RFC 6066 §3), every ALPN protocol 1-255 bytes (RFC 7301 §3.1).
/// </remarks>
internal static class TlsClientHelloTarget
{

    public static void Run(byte[] data)
    {
        var whole = Parse(data, Sequences.Whole(data.Length));
        var cut = Parse(data, Sequences.CutPoints(data.Length));
        FuzzInvariantException.Check(whole == cut, $"Whole and cut input parse differently: {whole} vs {cut}");
        var step = Math.Max(1, data.Length / 32);
        for (var length = 0; length < data.Length; length += step)
        {
            var prefix = Parse(data[..length], Sequences.Whole(length));
            FuzzInvariantException.Check(
                prefix.Status == TlsClientHelloParseStatus.Incomplete || prefix == whole,
                $"A {length}-byte prefix gives {prefix}, the whole input {whole}");
        }
    }

    private static Result Parse(byte[] data, int[] cuts)
    {
        var status = TlsClientHelloParser.TryParse(Sequences.Slice(data, 0, data.Length, cuts), out var info);
        if (info is not null)
        {
            FuzzInvariantException.Check(status == TlsClientHelloParseStatus.Complete, $"Info with status {status}");
            FuzzInvariantException.Check(info.ServerName is null || info.ServerName.Length is >= 1 and <= 255, $"Server name of {info.ServerName?.Length} characters");
            FuzzInvariantException.Check(info.ServerName is null || info.ServerName.All(c => c is > ' ' and < '\x7f'), $"Server name with a non-printable character: {info.ServerName}");
            FuzzInvariantException.Check(info.ApplicationProtocols.All(p => p.Length is >= 1 and <= 255), "An ALPN protocol of 0 or over 255 characters");
            _ = info.HighestOfferedVersion;
        }

        return new Result(status, info is null ? null : new Info(info.ServerName, string.Join(',', info.ApplicationProtocols), info.LegacyVersion, string.Join(',', info.SupportedVersions)));
    }

    private sealed record Info(string? ServerName, string Protocols, ushort LegacyVersion, string Versions);

    private sealed record Result(TlsClientHelloParseStatus Status, Info? Info);
}
