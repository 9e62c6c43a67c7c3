using System.Text;
using MailHost.Protocols.Tls;

namespace MailHost.Protocols.Tests.Tls;

/// <summary>
/// What a parser must answer when one byte of a known-good, single-record ClientHello is replaced. Worked out from the
/// role of the byte in the original hello (RFC 8446 §5.1 record, §4.1.2 ClientHello, §4.2 extensions, RFC 6066 §3
/// server_name, RFC 7301 §3.1 ALPN, RFC 8446 §4.2.1 supported_versions), not by parsing the corrupted bytes, so it
/// does not share the parser's mistakes.
/// </summary>
internal static class ClientHelloCorruptionOracle
{
    /// <summary>
    /// The answer expected for one corruption: a status and, when complete, the fields. A null status means "not
    /// complete": incomplete or invalid depends on bytes the layout does not decide.
    /// </summary>
    public sealed record Expectation(TlsClientHelloParseStatus? Status, string? ServerName = null, string[]? Alpn = null, ushort Legacy = 0, ushort[]? Versions = null)
    {
        /// <summary>
        /// The new framing reads bytes of other fields as extensions of a type that is parsed: valid or not depends on
        /// those bytes, so only the parser's own consistency is checked.
        /// </summary>
        public bool Undetermined { get; init; }

        public override string ToString() => Undetermined ? "undetermined" : Status == TlsClientHelloParseStatus.Complete
            ? $"Complete(sni={ServerName ?? "-"}, alpn=[{string.Join(',', Alpn!)}], legacy={Legacy:X4}, versions=[{string.Join(',', Versions!.Select(v => v.ToString("X4", System.Globalization.CultureInfo.InvariantCulture)))}])"
            : Status?.ToString() ?? "not Complete";
    }

    private enum Role
    {
        MustBe,          // A byte with one valid value here (content type, major versions, handshake type).
        RecordMinor,     // RFC 8446 §5.1 legacy_record_version minor: 0..4 accepted.
        RecordLength,
        HandshakeLength,
        LegacyMinor,
        Opaque,          // Random, session id, suites, compression methods, unknown extension data: never inspected.
        VectorLength,    // A length prefix inside the message: any other value misaligns or overruns its container.
        ExtensionType,
        ExtensionLength,
        NameType,
        HostNameByte,
        AlpnByte,
        VersionByte,
    }

    /// <summary>The expectation for <paramref name="hello"/> with byte <paramref name="offset"/> set to <paramref name="value"/>.</summary>
    public static Expectation Expect(byte[] hello, int offset, byte value)
    {
        var layout = Layout.Of(hello);
        var original = layout.Original;
        if (hello[offset] == value)
        {
            return original;
        }

        var (role, index) = layout.Roles[offset];
        switch (role)
        {
            case Role.MustBe:
                return Invalid;
            case Role.RecordMinor:
                return value <= 4 ? original : Invalid;
            case Role.RecordLength:
            {
                var length = offset == 3 ? (value << 8) | hello[4] : (hello[3] << 8) | value;
                if (length is 0 or > 1 << 14)
                {
                    return Invalid;
                }

                // Longer: the handshake message still ends where its own length says, inside what has arrived, so the
                // hello is whole (the rest of the record is the TLS stack's to read). Shorter: the message continues in
                // a "next record" that starts inside this one; it is invalid unless that byte happens to be a
                // handshake content type, and never whole (that header took five of the message's bytes).
                return length > layout.RecordLength ? original
                    : hello[5 + length] != 0x16 ? Invalid : NotComplete;
            }

            case Role.HandshakeLength:
            {
                var patched = (byte[])hello.Clone();
                patched[offset] = value;
                var bodyLength = (patched[6] << 16) | (patched[7] << 8) | patched[8];
                if (bodyLength > TlsClientHelloParser.MaxHandshakeMessageLength - 4)
                {
                    return Invalid;
                }

                // Longer than the record: the next record has not arrived. Shorter: the body ends early, which is a
                // valid hello only where the extension block may be absent (RFC 5246 §7.4.1.2).
                return 4 + bodyLength > layout.RecordLength ? Incomplete
                    : 9 + bodyLength == layout.EndOfCompressionMethods ? original with { ServerName = null, Alpn = [], Versions = [] }
                    : Invalid;
            }

            case Role.LegacyMinor:
                return original with { Legacy = (ushort)(0x0300 | value) };
            case Role.Opaque:
                return original;
            case Role.VectorLength:
                return Invalid;
            case Role.ExtensionType:
            {
                var (start, type) = layout.Extensions[index];
                var newType = start == offset ? (value << 8) | (type & 0xFF) : (type & 0xFF00) | value;
                if (!IsRead(newType))
                {
                    // The extension becomes one nobody reads: what it carried is gone, the rest stays.
                    return type switch
                    {
                        0 => original with { ServerName = null },
                        16 => original with { Alpn = [] },
                        43 => original with { Versions = [] },
                        _ => original,
                    };
                }

                // A second extension of a type that is read is refused (RFC 8446 §4.2); data of another extension read
                // as server_name, ALPN or supported_versions does not fit their layouts in these samples.
                return Invalid;
            }

            case Role.ExtensionLength:
                return Reframed(hello, layout, index, offset, value, original);
            case Role.NameType:
                // RFC 6066 §3: names of other types are skipped; the host name is then absent.
                return original with { ServerName = null };
            case Role.HostNameByte:
                // RFC 6066 §3: HostName is ASCII; every replacement value used here is a control or 8-bit byte.
                return value is >= 0x21 and <= 0x7E ? original with { ServerName = Patch(original.ServerName!, index, value) } : Invalid;
            case Role.AlpnByte:
            {
                var (name, position) = layout.AlpnBytes[index];
                var alpn = (string[])original.Alpn!.Clone();
                alpn[name] = Patch(alpn[name], position, value);
                return original with { Alpn = alpn };
            }

            case Role.VersionByte:
            {
                var versions = (ushort[])original.Versions!.Clone();
                var (which, high) = (index / 2, index % 2 == 0);
                versions[which] = high ? (ushort)((value << 8) | (versions[which] & 0xFF)) : (ushort)((versions[which] & 0xFF00) | value);
                return original with { Versions = versions };
            }

            default:
                throw new InvalidOperationException("Unknown role " + role);
        }
    }

    /// <summary>
    /// A changed extension length frames the rest of the block anew (RFC 8446 §4.2): invalid when the new framing
    /// overruns the block; otherwise the extensions it swallows are gone, and the parse continues with the original
    /// extensions once the framing meets one of their starts again. Bytes framed as a parsed type are undetermined.
    /// </summary>
    private static Expectation Reframed(byte[] hello, Layout layout, int index, int offset, byte value, Expectation original)
    {
        var (start, type) = layout.Extensions[index];
        var length = offset == start + 2 ? (value << 8) | hello[start + 3] : (hello[start + 2] << 8) | value;
        var position = start + 4 + length;
        if (position > hello.Length)
        {
            return Invalid;
        }

        // Extension i's own data is now different bytes: a parsed type reads them as its own layout.
        var undetermined = IsRead(type);
        var resumed = layout.Extensions.Count;
        while (position < hello.Length)
        {
            var again = layout.Extensions.FindIndex(e => e.Start == position);
            if (again > index)
            {
                resumed = again;
                break;
            }

            if (position + 4 > hello.Length)
            {
                return Invalid;
            }

            undetermined |= IsRead((hello[position] << 8) | hello[position + 1]);
            position += 4 + ((hello[position + 2] << 8) | hello[position + 3]);
            if (position > hello.Length)
            {
                return Invalid;
            }
        }

        if (undetermined)
        {
            return original with { Undetermined = true };
        }

        var expected = original;
        for (var swallowed = index + 1; swallowed < resumed; swallowed++)
        {
            expected = layout.Extensions[swallowed].Type switch
            {
                0 => expected with { ServerName = null },
                16 => expected with { Alpn = [] },
                43 => expected with { Versions = [] },
                _ => expected,
            };
        }

        return expected;
    }

    private static Expectation Invalid { get; } = new(TlsClientHelloParseStatus.Invalid);

    private static Expectation Incomplete { get; } = new(TlsClientHelloParseStatus.Incomplete);

    private static Expectation NotComplete { get; } = new(Status: null);

    private static bool IsRead(int type) => type is 0 or 16 or 43;

    private static string Patch(string text, int position, byte value) =>
        string.Concat(text.AsSpan(0, position), Encoding.Latin1.GetString([value]), text.AsSpan(position + 1));

    /// <summary>The role of every byte of one hello, and the fields it carries.</summary>
    private sealed class Layout
    {
        private Layout(int length) => Roles = new (Role, int)[length];

        public (Role Role, int Index)[] Roles { get; }

        public int RecordLength { get; private set; }

        public int EndOfCompressionMethods { get; private set; }

        public List<(int Start, int Type)> Extensions { get; } = [];

        public List<(int Name, int Position)> AlpnBytes { get; } = [];

        public Expectation Original { get; private set; } = Invalid;

        public static Layout Of(byte[] hello)
        {
            var layout = new Layout(hello.Length);
            layout.Walk(hello);
            return layout;
        }

        private static int U16(byte[] b, int at) => (b[at] << 8) | b[at + 1];

        private void Mark(int at, int count, Role role, int index = 0)
        {
            for (var i = at; i < at + count; i++)
            {
                Roles[i] = (role, index);
            }
        }

        private void Walk(byte[] b)
        {
            RecordLength = U16(b, 3);
            if (b.Length != 5 + RecordLength || ((b[6] << 16) | U16(b, 7)) + 4 != RecordLength || b[5] != 1)
            {
                throw new ArgumentException("The oracle handles one record holding exactly one ClientHello.", nameof(b));
            }

            Mark(0, 2, Role.MustBe);
            Mark(2, 1, Role.RecordMinor);
            Mark(3, 2, Role.RecordLength);
            Mark(5, 1, Role.MustBe);
            Mark(6, 3, Role.HandshakeLength);
            Mark(9, 1, Role.MustBe);
            Mark(10, 1, Role.LegacyMinor);
            Mark(11, 32, Role.Opaque);
            var at = 43;
            Mark(at, 1, Role.VectorLength);
            Mark(at + 1, b[at], Role.Opaque);
            at += 1 + b[at];
            Mark(at, 2, Role.VectorLength);
            Mark(at + 2, U16(b, at), Role.Opaque);
            at += 2 + U16(b, at);
            Mark(at, 1, Role.VectorLength);
            Mark(at + 1, b[at], Role.Opaque);
            at += 1 + b[at];
            EndOfCompressionMethods = at;

            string? serverName = null;
            var alpn = new List<string>();
            var versions = new List<ushort>();
            if (at < b.Length)
            {
                Mark(at, 2, Role.VectorLength);
                at += 2;
                while (at < b.Length)
                {
                    var type = U16(b, at);
                    var length = U16(b, at + 2);
                    Mark(at, 2, Role.ExtensionType, Extensions.Count);
                    Extensions.Add((at, type));
                    Mark(at + 2, 2, Role.ExtensionLength, Extensions.Count - 1);
                    var data = at + 4;
                    Mark(data, length, Role.Opaque);
                    switch (type)
                    {
                        case 0:
                            // list<2> { type<1> name<2> } with one host name in these samples.
                            Mark(data, 2, Role.VectorLength);
                            Mark(data + 2, 1, Role.NameType);
                            Mark(data + 3, 2, Role.VectorLength);
                            var nameLength = U16(b, data + 3);
                            for (var i = 0; i < nameLength; i++)
                            {
                                Roles[data + 5 + i] = (Role.HostNameByte, i);
                            }

                            serverName = Encoding.ASCII.GetString(b, data + 5, nameLength);
                            break;
                        case 16:
                            Mark(data, 2, Role.VectorLength);
                            for (var p = data + 2; p < data + length; p += 1 + b[p])
                            {
                                Mark(p, 1, Role.VectorLength);
                                for (var i = 0; i < b[p]; i++)
                                {
                                    Roles[p + 1 + i] = (Role.AlpnByte, AlpnBytes.Count);
                                    AlpnBytes.Add((alpn.Count, i));
                                }

                                alpn.Add(Encoding.Latin1.GetString(b, p + 1, b[p]));
                            }

                            break;
                        case 43:
                            Mark(data, 1, Role.VectorLength);
                            for (var i = 0; i < b[data]; i++)
                            {
                                Roles[data + 1 + i] = (Role.VersionByte, i);
                            }

                            for (var i = 0; i < b[data]; i += 2)
                            {
                                versions.Add((ushort)U16(b, data + 1 + i));
                            }

                            break;
                    }

                    at = data + length;
                }
            }

            Original = new Expectation(TlsClientHelloParseStatus.Complete, serverName, [.. alpn], (ushort)U16(b, 9), [.. versions]);
        }
    }
}
