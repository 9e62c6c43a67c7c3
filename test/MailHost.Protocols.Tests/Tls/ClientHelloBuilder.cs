using System.Buffers.Binary;
using System.Text;

namespace MailHost.Protocols.Tests.Tls;

/// <summary>Builds ClientHello messages and TLS records by hand, for rows the captured samples do not cover.</summary>
internal static class ClientHelloBuilder
{
    /// <summary>A handshake message (4-byte header included) with the given fields.</summary>
    public static byte[] Message(
        ushort legacyVersion = 0x0303,
        byte[]? sessionId = null,
        byte[]? cipherSuites = null,
        byte[]? compressionMethods = null,
        byte[][]? extensions = null)
    {
        var body = new List<byte>();
        body.AddRange(U16(legacyVersion));
        body.AddRange(Enumerable.Range(0, 32).Select(i => (byte)i)); // random
        body.AddRange(Vector8(sessionId ?? []));
        body.AddRange(Vector16(cipherSuites ?? [0x00, 0x2F]));
        body.AddRange(Vector8(compressionMethods ?? [0x00]));
        if (extensions is not null)
        {
            body.AddRange(Vector16(extensions.SelectMany(e => e).ToArray()));
        }

        return [0x01, .. U24(body.Count), .. body];
    }

    /// <summary>One extension: type and extension_data.</summary>
    public static byte[] Extension(ushort type, byte[] data) => [.. U16(type), .. Vector16(data)];

    /// <summary>server_name with the given (name_type, name) entries.</summary>
    public static byte[] ServerName(params (byte Type, string Name)[] names) =>
        Extension(0, Vector16(names.SelectMany(n => (byte[])[n.Type, .. Vector16(Encoding.Latin1.GetBytes(n.Name))]).ToArray()));

    /// <summary>ALPN with the given protocol names.</summary>
    public static byte[] Alpn(params string[] protocols) =>
        Extension(16, Vector16(protocols.SelectMany(p => Vector8(Encoding.Latin1.GetBytes(p))).ToArray()));

    /// <summary>supported_versions with the given versions.</summary>
    public static byte[] SupportedVersions(params ushort[] versions) =>
        Extension(43, Vector8(versions.SelectMany(v => U16(v)).ToArray()));

    /// <summary>Wraps a fragment in one TLS record.</summary>
    public static byte[] Record(byte[] fragment, byte contentType = 0x16, ushort version = 0x0301) =>
        [contentType, .. U16(version), .. U16(fragment.Length), .. fragment];

    /// <summary>Splits a handshake message into records carrying at most <paramref name="fragmentSize"/> bytes each.</summary>
    public static byte[] Frame(byte[] message, int fragmentSize) =>
        message.Chunk(fragmentSize).SelectMany(chunk => Record(chunk)).ToArray();

    /// <summary>The handshake message carried by a single-record sample.</summary>
    public static byte[] MessageOf(byte[] singleRecord) => singleRecord[5..];

    public static byte[] U16(int value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)value);
        return bytes;
    }

    public static byte[] U24(int value) => [(byte)(value >> 16), (byte)(value >> 8), (byte)value];

    public static byte[] Vector8(byte[] data) => [(byte)data.Length, .. data];

    public static byte[] Vector16(byte[] data) => [.. U16(data.Length), .. data];
}
