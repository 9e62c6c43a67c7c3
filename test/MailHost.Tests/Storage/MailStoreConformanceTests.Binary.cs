using System.Text;
using MailHost.Storage;
using MimeKit;

using MailHost.TestSupport;

namespace MailHost.Tests.Storage;

/// <summary>
/// Binary content (RFC 3516 §4.4, §6): on an APPEND with a literal8, parts holding NUL are stored base64-encoded, every
/// octet kept; any other content, delivered mail included, is stored exactly as received.
/// </summary>
public abstract partial class MailStoreConformanceTests
{
    /// <summary>NUL, 8-bit octets, a bare CR and LF, and a CRLF: what a literal8 APPEND or BINARYMIME may carry.</summary>
    internal static readonly byte[] BinaryOctets = [0, 1, 0xFF, 0x80, (byte)'a', 0, (byte)'\r', (byte)'\n', 0xFE, (byte)'\r', (byte)'z', (byte)'\n', 0];

    private static readonly AppendOptions Literal8 = new() { EncodeNulParts = true };

    internal static byte[] SinglePartBinary(byte[] octets, string encoding = "binary") =>
        [.. Encoding.ASCII.GetBytes(
            "From: a@example.com\r\nSubject: binary\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\n" +
            $"Content-Transfer-Encoding: {encoding}\r\n\r\n"), .. octets];

    [StoreFact]
    public async Task From_a_literal8_a_part_holding_NUL_is_stored_as_base64_of_the_same_octets()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        await AppendAsync(account, "INBOX", SinglePartBinary(BinaryOctets), Literal8);

        var view = await SelectAsync(account, "INBOX");
        var data = (await FetchAsync(view, UidSet.All, new FetchOptions(IncludeIndex: true))).Single();
        var stored = await ReadAsync(data.Content);
        stored.Should().NotContain(0);
        data.Size.Should().Be(stored.Length);
        data.Index!.Body.TransferEncoding.Should().Be("BASE64");
        data.Index.Body.MediaType.Should().Be("application");
        Encoding.ASCII.GetString(stored).Should().Contain("Content-Transfer-Encoding: base64\r\n\r\n").And.NotContain("Encoding: binary");

        Decode((MimePart)MimeMessage.Load(new MemoryStream(stored)).Body!).Should().Equal(BinaryOctets);
        Encoding.ASCII.GetString(stored, (int)data.Index.Body.BodyOffset, (int)data.Index.Body.BodySize).TrimEnd()
            .Should().Be(Convert.ToBase64String(BinaryOctets));
    }

    [StoreFact]
    public async Task From_a_literal8_only_the_parts_holding_NUL_are_re_encoded_and_the_rest_stays_byte_for_byte()
    {
        // A large part too: the SQLite store spools it to a file, and the encoder works in chunks. The folded
        // Content-Transfer-Encoding field goes with all its lines.
        var large = Enumerable.Range(0, 200_000).Select(i => (byte)(i * 7)).ToArray();
        var message = Encoding.ASCII.GetBytes(
            "From: a@example.com\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" +
            "--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nh\u00e9llo\r\n" +
            "--b\r\nContent-Transfer-Encoding:\r\n BINARY\r\nContent-Type: application/octet-stream\r\n\r\n")
            .Concat(BinaryOctets)
            .Concat(Encoding.ASCII.GetBytes("\r\n--b\r\nContent-Type: application/x-big\r\nContent-Transfer-Encoding: binary\r\n\r\n"))
            .Concat(large)
            .Concat(Encoding.ASCII.GetBytes("\r\n--b--\r\n")).ToArray();
        var store = await CreateStoreAsync();
        var account = await OpenAsync(store);
        await AppendAsync(account, "INBOX", message, Literal8);

        var view = await SelectAsync(account, "INBOX");
        var data = (await FetchAsync(view, UidSet.All, new FetchOptions(IncludeIndex: true))).Single();
        var stored = await ReadAsync(data.Content);
        var parts = data.Index!.Body.Parts;
        parts.Select(p => p.TransferEncoding).Should().Equal("8BIT", "BASE64", "BASE64");
        stored.AsSpan((int)parts[0].HeaderOffset, (int)(parts[0].EndOffset - parts[0].HeaderOffset)).ToArray()
            .Should().Equal(message.AsSpan(message.AsSpan().IndexOf("Content-Type: text/plain"u8), (int)(parts[0].EndOffset - parts[0].HeaderOffset)).ToArray());
        Encoding.ASCII.GetString(stored).Should().Contain("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n")
            .And.NotContain(" BINARY").And.EndWith("\r\n--b--\r\n");

        var parsed = (Multipart)MimeMessage.Load(new MemoryStream(stored)).Body!;
        Decode((MimePart)parsed[1]).Should().Equal(BinaryOctets);
        Decode((MimePart)parsed[2]).Should().Equal(large);

    }

    [StoreFact]
    public async Task Without_a_literal8_content_holding_NUL_is_stored_exactly_as_received()
    {
        // Delivered mail (SMTP, BINARYMIME) and a plain append keep every octet where it was.
        var store = await CreateStoreAsync();
        var message = SinglePartBinary(BinaryOctets);
        var delivered = (await store.DeliverAsync(TestMessages.Stream(message), [new DeliveryTarget("bob")], default).AsTask().WaitAsync(Timeout)).Value;
        delivered.Targets.Single().Error.Should().BeNull();
        var bob = await SelectAsync(await OpenAsync(store, "bob"), "INBOX");
        (await ReadAsync((await FetchAsync(bob, UidSet.All)).Single().Content)).Should().Equal(message);

        var alice = await OpenAsync(store);
        await AppendAsync(alice, "INBOX", message);
        var view = await SelectAsync(alice, "INBOX");
        var data = (await FetchAsync(view, UidSet.All, new FetchOptions(IncludeIndex: true))).Single();
        (await ReadAsync(data.Content)).Should().Equal(message);
        data.Index!.Body.TransferEncoding.Should().Be("BINARY");
    }

    [StoreFact]
    public async Task Binary_and_8bit_parts_without_NUL_are_stored_byte_for_byte_even_from_a_literal8()
    {
        var account = await OpenAsync(await CreateStoreAsync());
        byte[] octets = [0xFF, 0x80, (byte)'\r', (byte)'x', (byte)'\n', 0x01, 0xFE];
        var binary = SinglePartBinary(octets);
        var eightBit = SinglePartBinary([.. octets, (byte)'\r', (byte)'\n'], "8bit");
        await AppendAsync(account, "INBOX", binary, Literal8);
        await AppendAsync(account, "INBOX", eightBit, Literal8);

        var view = await SelectAsync(account, "INBOX");
        var messages = await FetchAsync(view, UidSet.All, new FetchOptions(IncludeIndex: true));
        (await ReadAsync(messages[0].Content)).Should().Equal(binary);
        (await ReadAsync(messages[1].Content)).Should().Equal(eightBit);
        messages[0].Index!.Body.TransferEncoding.Should().Be("BINARY");
    }

    private static byte[] Decode(MimePart part)
    {
        using var decoded = new MemoryStream();
        part.Content!.DecodeTo(decoded);
        return decoded.ToArray();
    }
}
