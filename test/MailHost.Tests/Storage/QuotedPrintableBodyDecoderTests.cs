using System.Text;
using CsCheck;
using MailHost.Storage.Mime;
using MimeKit.Encodings;

namespace MailHost.Tests.Storage;

/// <summary>RFC 2045 §6.7 quoted-printable decoding, whole and split at every point.</summary>
public class QuotedPrintableBodyDecoderTests
{
    public static TheoryData<string, string, string> Vectors => new()
    {
        // name, encoded, decoded
        { "plain text", "Hello, world!", "Hello, world!" },
        { "rule 1: upper-case hex", "caf=C3=A9 =3D =41", "caf\u00c3\u00a9 = A" },
        { "rule 1: lower-case hex (robust decoder)", "caf=c3=a9 =3d =4a=4B", "caf\u00c3\u00a9 = JK" },
        { "rule 2: literal octets", "a!\"#$%&'()*+,-./:;<>?@[\\]^_`{|}~z", "a!\"#$%&'()*+,-./:;<>?@[\\]^_`{|}~z" },
        { "rule 3: trailing spaces and tabs are deleted", "foo   \r\nbar\t \t\r\nbaz", "foo\r\nbar\r\nbaz" },
        { "rule 3: whitespace inside a line stays", "foo\t \tb\r\nfoo bar", "foo\t \tb\r\nfoo bar" },
        { "rule 3: whitespace at the end of the body is deleted", "end  \t", "end" },
        { "rule 3: encoded trailing whitespace stays", "foo=20\r\nbar=09", "foo \r\nbar\t" },
        { "rule 4: hard line breaks stay", "a\r\n\r\nb\r\n", "a\r\n\r\nb\r\n" },
        { "rule 5: soft line break", "foo=\r\nbar=\r\n", "foobar" },
        { "rule 5: soft line break padded with whitespace", "foo= \r\nbar=\t \r\nbaz", "foobarbaz" },
        { "rule 5: whitespace before a soft break is data", "foo  =\r\nbar", "foo  bar" },
        { "rule 5: soft break then trailing whitespace", "foo=\r\n  \r\nbar", "foo\r\nbar" },
        { "bare LF as a line break", "foo  \nbar=\nbaz= \nqux\n", "foo\nbarbazqux\n" },
        { "note 2: = and a non-hex octet stay", "a=G1b", "a=G1b" },
        { "note 2: = and one hex digit stay", "a=4Gb", "a=4Gb" },
        { "note 2: == then a valid escape", "==41", "=A" },
        { "note 2: = then whitespace then text", "a= b", "a= b" },
        { "note 2: = then a bare CR", "a=\rb", "a=\rb" },
        { "note 3: = ends the body", "abc=", "abc=" },
        { "note 3: = and whitespace end the body", "abc=  ", "abc=" },
        { "note 3: = and one digit end the body", "abc=4", "abc=4" },
        { "bare CR is data", "a \rb\r", "a \rb\r" },
        { "8-bit and NUL octets pass", "\u00e9\0x", "\u00e9\0x" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Decodes_the_RFC_2045_vectors_whole_and_split_everywhere(string name, string encoded, string decoded)
    {
        var input = Encoding.Latin1.GetBytes(encoded);
        var expected = Encoding.Latin1.GetBytes(decoded);
        Decode(input, [input.Length]).Should().Equal(expected, name);
        for (var split = 0; split <= input.Length; split++)
        {
            Decode(input, [split, input.Length - split]).Should().Equal(expected, $"{name}, split at {split}");
        }

        Decode(input, [.. Enumerable.Repeat(1, input.Length)]).Should().Equal(expected, $"{name}, one octet at a time");
    }

    [Fact]
    public void A_part_with_soft_breaks_and_padding_decodes_to_its_65_octets()
    {
        // The shape an outside suite checks: 78 encoded octets of soft breaks and transport padding, 65 decoded.
        var encoded = Encoding.ASCII.GetBytes(
            "hello\r\nbar    \r\nfoo\tbar\r\nfoo\t \tb\r\nfoo =\r\nbar\r\nfoo= \r\n b\r\nfoo \t\r\nbar\r\nfoo_bar\r\n");
        var decoded = Decode(encoded, [encoded.Length]);
        Encoding.ASCII.GetString(decoded).Should().Be("hello\r\nbar\r\nfoo\tbar\r\nfoo\t \tb\r\nfoo bar\r\nfoo b\r\nfoo\r\nbar\r\nfoo_bar\r\n");
        decoded.Should().HaveCount(65);
        encoded.Length.Should().Be(78);
    }

    [Fact]
    public void Long_whitespace_is_bounded_and_decoded_the_same_however_split()
    {
        var run = new string(' ', QuotedPrintableBodyDecoder.MaxHeldWhitespace + 5);
        foreach (var (encoded, decoded) in new[]
        {
            ("a" + run + "b", "a" + run + "b"),
            ("a=" + run + "b", "a=" + run + "b"),
            ("a" + run + "\r\nb", "a" + run[..QuotedPrintableBodyDecoder.MaxHeldWhitespace] + "\r\nb"),
        })
        {
            var input = Encoding.ASCII.GetBytes(encoded);
            var expected = Encoding.ASCII.GetBytes(decoded);
            Decode(input, [input.Length]).Should().Equal(expected);
            Decode(input, [7, input.Length - 7]).Should().Equal(expected);
            Decode(input, [.. Enumerable.Repeat(1, input.Length)]).Should().Equal(expected);
        }
    }

    [Fact]
    public void Agrees_with_MimeKit_on_what_MimeKits_encoder_writes()
    {
        // MimeKit is right on canonical input (no transport padding, no "=" at the end): both decoders agree, and give
        // back the original octets (MimeKit's encoder writes line breaks as LF, so only input without CR round-trips).
        Gen.OneOf(Gen.Byte.Array[0, 400], Gen.Char[" \t\r\n=Aa9é"].Array[0, 300].Select(Encoding.UTF8.GetBytes)).Sample(original =>
        {
            var encoder = new QuotedPrintableEncoder();
            var encoded = new byte[encoder.EstimateOutputLength(original.Length)];
            var length = encoder.Flush(original, 0, original.Length, encoded);
            var input = encoded.AsSpan(0, length).ToArray();

            var mimekit = new MimeKit.Encodings.QuotedPrintableDecoder();
            var theirs = new byte[mimekit.EstimateOutputLength(input.Length)];
            var theirLength = mimekit.Decode(input, 0, input.Length, theirs);

            var ours = Decode(input, [input.Length]);
            ours.Should().Equal(theirs.AsSpan(0, theirLength).ToArray());
            Decode(input, [input.Length / 3, input.Length - (input.Length / 3)]).Should().Equal(ours);
            if (!original.Contains((byte)'\r'))
            {
                ours.Should().Equal(original);
            }
        });
    }

    [Fact]
    public void Differs_from_MimeKit_where_MimeKit_breaks_rules_3_and_5()
    {
        // MimeKit keeps trailing whitespace and turns a padded soft break into "= " and a line break.
        var input = Encoding.ASCII.GetBytes("foo  \r\nbar= \r\nbaz");
        var mimekit = new MimeKit.Encodings.QuotedPrintableDecoder();
        var theirs = new byte[mimekit.EstimateOutputLength(input.Length)];
        Encoding.ASCII.GetString(theirs, 0, mimekit.Decode(input, 0, input.Length, theirs)).Should().Be("foo  \r\nbar= \r\nbaz");
        Encoding.ASCII.GetString(Decode(input, [input.Length])).Should().Be("foo\r\nbarbaz");
    }

    [Fact]
    public void Flush_resets_for_the_next_body_and_short_outputs_are_refused()
    {
        var decoder = new QuotedPrintableBodyDecoder();
        var output = new byte[QuotedPrintableBodyDecoder.GetMaxOutputLength(8)];
        decoder.Decode("ab=4"u8, output).Should().Be(2);
        decoder.Flush(output).Should().Be(2);
        output[..2].Should().Equal("=4"u8.ToArray());
        decoder.Decode("=41"u8, output).Should().Be(1);
        output[0].Should().Be((byte)'A');

        var tooShort = () => decoder.Decode("abc"u8, new byte[3]);
        tooShort.Should().Throw<ArgumentException>();
    }

    private static byte[] Decode(byte[] input, int[] pieces)
    {
        var decoder = new QuotedPrintableBodyDecoder();
        var result = new List<byte>();
        var at = 0;
        foreach (var piece in pieces)
        {
            var output = new byte[QuotedPrintableBodyDecoder.GetMaxOutputLength(piece)];
            var written = decoder.Decode(input.AsSpan(at, piece), output);
            result.AddRange(output.AsSpan(0, written));
            at += piece;
        }

        var tail = new byte[QuotedPrintableBodyDecoder.GetMaxOutputLength(0)];
        result.AddRange(tail.AsSpan(0, decoder.Flush(tail)));
        return [.. result];
    }
}
