using System.Text;
using MailHost.Storage;
using MailHost.Storage.Mime;

namespace MailHost.Tests.Storage;

/// <summary>Re-encoding parts that hold NUL as base64 (RFC 3516 §4.4, RFC 2045 §6.8), everything else byte for byte.</summary>
public class BinaryPartEncoderTests
{
    [Fact]
    public async Task A_part_without_a_transfer_encoding_field_gets_one_and_keeps_the_messages_bare_LF_line_ends()
    {
        var octets = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        byte[] message = [.. "Subject: lf\nContent-Type: application/octet-stream\n\n"u8, .. octets];

        var converted = await ConvertAsync(message);

        var text = Encoding.ASCII.GetString(converted);
        var base64 = Convert.ToBase64String(octets);
        text.Should().Be("Subject: lf\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n" +
            base64[..76] + "\n" + base64[76..] + "\n");
    }

    [Fact]
    public async Task A_part_inside_an_encapsulated_message_is_re_encoded_and_the_outer_structure_kept()
    {
        byte[] message = [.. Encoding.ASCII.GetBytes(
            "Subject: outer\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\npreamble\r\n--o\r\nContent-Type: message/rfc822\r\n\r\n" +
            "Subject: inner\r\nContent-Type: text/plain\r\ncontent-transfer-encoding : 8bit\r\n\r\n"), 0x41, 0, 0x42,
            .. "\r\n--o--\r\nepilogue\r\n"u8];

        var converted = await ConvertAsync(message);

        Encoding.ASCII.GetString(converted).Should().Be(
            "Subject: outer\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\npreamble\r\n--o\r\nContent-Type: message/rfc822\r\n\r\n" +
            "Subject: inner\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\nQQBC\r\n\r\n--o--\r\nepilogue\r\n");
        var reindexed = await IndexAsync(converted);
        reindexed.NulParts.Should().BeEmpty();
        reindexed.Index.Body.Parts.Single().Message!.TransferEncoding.Should().Be("BASE64");
    }

    [Fact]
    public async Task Parts_in_a_quoted_printable_or_unknown_encoding_are_left_as_they_are()
    {
        byte[] message = [.. "Content-Transfer-Encoding: quoted-printable\r\n\r\na"u8, 0, .. "b\r\n"u8];
        (await IndexAsync(message)).NulParts.Should().BeEmpty();
        byte[] unknown = [.. "Content-Transfer-Encoding: x-custom\r\n\r\na"u8, 0, .. "b\r\n"u8];
        (await IndexAsync(unknown)).NulParts.Should().BeEmpty();
    }

    private static Task<IndexedMessage> IndexAsync(byte[] bytes) =>
        MimeIndexer.IndexAsync(new MemoryStream(bytes), bytes.Length, MailStoreLimits.Default, default).WaitAsync(TimeSpan.FromSeconds(30));

    private static async Task<byte[]> ConvertAsync(byte[] message)
    {
        var indexed = await IndexAsync(message);
        indexed.NulParts.Should().ContainSingle();
        using var output = new MemoryStream();
        await BinaryPartEncoder.WriteAsync(new MemoryStream(message), indexed.NulParts, output, default).WaitAsync(TimeSpan.FromSeconds(30));
        return output.ToArray();
    }
}
