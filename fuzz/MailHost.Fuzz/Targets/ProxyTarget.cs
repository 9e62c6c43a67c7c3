using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using MailHost.Protocols.Proxy;

namespace MailHost.Fuzz.Targets;

/// <summary>The PROXY protocol header (HAProxy's spec, v1 text and v2 binary) as the listener reads it.</summary>
/// <remarks>
/// Invariants: whole and cut input give the same result; a header is at most <see cref="ProxyProtocolParser.MaxV1Length"/>
/// (v1) or <see cref="ProxyProtocolParser.MaxV2Length"/> (v2) bytes; every shorter prefix of a header is Incomplete;
/// the header written again (v1 text for v1, v2 binary for v2) parses to the same value; an error never echoes input.
/// </remarks>
internal static class ProxyTarget
{
    private static readonly byte[] V2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    public static void Run(byte[] data)
    {
        var whole = Parse(data, Sequences.Whole(data.Length));
        var cut = Parse(data, Sequences.CutPoints(data.Length));
        FuzzInvariantException.Check(whole == cut, $"Whole and cut input parse differently: {whole} vs {cut}");
        if (whole.Status == ProxyParseStatus.Invalid)
        {
            FuzzInvariantException.Check(!string.IsNullOrEmpty(whole.Error) && whole.Error.All(c => c is >= ' ' and < '\x7f'), "Invalid without a plain error text");
        }

        if (whole.Status != ProxyParseStatus.Complete)
        {
            return;
        }

        var header = whole.Header!;
        var max = header.Version == 1 ? ProxyProtocolParser.MaxV1Length : ProxyProtocolParser.MaxV2Length;
        FuzzInvariantException.Check(whole.Consumed <= max, $"A v{header.Version} header of {whole.Consumed} bytes");
        var step = Math.Max(1, whole.Consumed / 64);
        for (var length = 0; length < whole.Consumed; length += step)
        {
            var prefix = Parse(data[..length], Sequences.Whole(length));
            FuzzInvariantException.Check(prefix.Status == ProxyParseStatus.Incomplete, $"A {length}-byte prefix of a {whole.Consumed}-byte header is {prefix.Status}");
        }

        var written = header.Version == 1 ? WriteV1(header) : WriteV2(header);
        var again = Parse(written, Sequences.Whole(written.Length));
        FuzzInvariantException.Check(
            again.Status == ProxyParseStatus.Complete && again.Header == header && again.Consumed == written.Length,
            $"{header} written again parses as {again}");
    }

    private static Result Parse(byte[] data, int[] cuts)
    {
        var buffer = Sequences.Slice(data, 0, data.Length, cuts);
        var status = ProxyProtocolParser.TryParse(buffer, out var consumed, out var header, out var error);
        return new Result(status, (int)buffer.Slice(0, consumed).Length, header, error);
    }

    private static byte[] WriteV1(ProxyHeader header)
    {
        if (header.Source is null || header.Destination is null)
        {
            return "PROXY UNKNOWN\r\n"u8.ToArray();
        }

        var family = header.Source.AddressFamily == AddressFamily.InterNetwork ? "TCP4" : "TCP6";
        return Encoding.ASCII.GetBytes($"PROXY {family} {header.Source.Address} {header.Destination.Address} {header.Source.Port} {header.Destination.Port}\r\n");
    }

    private static byte[] WriteV2(ProxyHeader header)
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write(V2Signature);
        output.Write<byte>([(byte)(0x20 | (header.Command == ProxyCommand.Proxy ? 1 : 0))]);
        if (header.Source is null || header.Destination is null)
        {
            output.Write<byte>([0x00, 0x00, 0x00]);
            return output.WrittenSpan.ToArray();
        }

        var v4 = header.Source.AddressFamily == AddressFamily.InterNetwork;
        var addresses = new byte[v4 ? 12 : 36];
        var size = v4 ? 4 : 16;
        header.Source.Address.GetAddressBytes().CopyTo(addresses, 0);
        header.Destination.Address.GetAddressBytes().CopyTo(addresses, size);
        BinaryPrimitives.WriteUInt16BigEndian(addresses.AsSpan(2 * size), (ushort)header.Source.Port);
        BinaryPrimitives.WriteUInt16BigEndian(addresses.AsSpan((2 * size) + 2), (ushort)header.Destination.Port);
        output.Write<byte>([v4 ? (byte)0x11 : (byte)0x21, 0, (byte)addresses.Length]);
        output.Write(addresses);
        return output.WrittenSpan.ToArray();
    }

    private sealed record Result(ProxyParseStatus Status, int Consumed, ProxyHeader? Header, string? Error);
}
