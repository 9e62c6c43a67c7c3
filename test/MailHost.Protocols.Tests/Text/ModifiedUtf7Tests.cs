using System.Text;
using CsCheck;
using MailHost.Protocols.Text;

namespace MailHost.Protocols.Tests.Text;

public class ModifiedUtf7Tests
{
    // SECURITY C10 and RFC 3501 §5.1.3 examples.
    [Theory]
    [InlineData("~peter/mail/&U,BTFw-/&ZeVnLIqe-", "~peter/mail/台北/日本語")]
    [InlineData("&-&-x&-&-", "&&x&&")]
    [InlineData("INBOX", "INBOX")]
    [InlineData("", "")]
    [InlineData("&AOk-t&AOk-", "été")]
    [InlineData("&2D3eAA-", "\U0001F600")]
    [InlineData("a&AAA-b", "a\0b")]
    [InlineData("&AH8-", "\u007F")]
    [InlineData("&AAoADQ-", "\n\r")]
    public void Valid_names_decode_and_encode_canonically(string encoded, string decoded)
    {
        ModifiedUtf7.TryDecode(Encoding.ASCII.GetBytes(encoded), out var name).Should().BeTrue();
        name.Should().Be(decoded);
        ModifiedUtf7.TryDecode(encoded, out var fromString).Should().BeTrue();
        fromString.Should().Be(decoded);
        ModifiedUtf7.Encode(decoded).Should().Be(encoded);
    }

    // SECURITY C10: Dovecot's invalid vectors and the non-canonical forms.
    [Theory]
    [InlineData("&")]
    [InlineData("&Jjo")]
    [InlineData("&Jjo!")]
    [InlineData("&U,BTFw-&ZeVnLIqe-")]
    [InlineData("&AGEAYgBj-")]
    [InlineData("&AGE-")]
    [InlineData("&ACY-")]
    [InlineData("&ACA-")]
    [InlineData("&2D0-")]
    [InlineData("&3gA-")]
    [InlineData("&2D3YPQ-")]
    [InlineData("&AOl-")]
    [InlineData("&AOk")]
    [InlineData("&AO-")]
    [InlineData("&AOkA-")]
    [InlineData("&AOk=-")]
    [InlineData("&AOk/-")]
    [InlineData("a\tb")]
    [InlineData("a\u007Fb")]
    [InlineData("&AOk-&AOk-")]
    public void Invalid_or_non_canonical_encodings_are_refused(string encoded)
    {
        ModifiedUtf7.TryDecode(Encoding.Latin1.GetBytes(encoded), out var name).Should().BeFalse();
        name.Should().BeEmpty();
        ModifiedUtf7.TryDecode(encoded, out _).Should().BeFalse();
    }

    [Fact]
    public void Every_8bit_octet_inside_a_shift_sequence_is_refused()
    {
        for (var b = 0x80; b <= 0xFF; b++)
        {
            ModifiedUtf7.TryDecode([(byte)'&', (byte)'A', (byte)b, (byte)'k', (byte)'-'], out _).Should().BeFalse($"octet {b:X2}");
            ModifiedUtf7.TryDecode([(byte)'a', (byte)b], out _).Should().BeFalse($"octet {b:X2}");
        }
    }

    [Fact]
    public void Every_code_point_from_FFFF_to_10010_round_trips()
    {
        for (var cp = 0xFFFF; cp <= 0x10010; cp++)
        {
            var s = "a" + char.ConvertFromUtf32(cp) + "b";
            var encoded = ModifiedUtf7.Encode(s);
            ModifiedUtf7.TryDecode(Encoding.ASCII.GetBytes(encoded), out var back).Should().BeTrue(encoded);
            back.Should().Be(s);
        }
    }

    [Fact]
    public void Encoding_a_lone_surrogate_is_a_programming_error()
    {
        var act = () => ModifiedUtf7.Encode("a\uD800b");
        act.Should().Throw<ArgumentException>();
        ModifiedUtf7.TryEncode("\uDC00", new byte[5], out _).Should().BeFalse();
    }

    [Fact]
    public void Any_valid_string_round_trips_and_the_encoding_is_printable_ascii()
    {
        var validStrings = Gen.String[Gen.Char.Where(c => !char.IsSurrogate(c)), 0, 40]
            .Select(Gen.Int[0x10000, 0x10FFFF], (s, astral) => s.Insert(s.Length / 2, char.ConvertFromUtf32(astral)));
        validStrings.Sample(s =>
        {
            var encoded = ModifiedUtf7.Encode(s);
            encoded.All(c => c is >= ' ' and <= '~').Should().BeTrue();
            ModifiedUtf7.TryDecode(Encoding.ASCII.GetBytes(encoded), out var back).Should().BeTrue();
            back.Should().Be(s);
        }, iter: 20_000);
    }

    [Fact]
    public void Random_bytes_never_throw_and_whatever_decodes_re_encodes_to_the_same_bytes()
    {
        Gen.Byte[0x20, 0x7E].Array[0, 30].Select(Gen.Int[0, 29], (bytes, at) =>
        {
            if (bytes.Length > 0)
            {
                bytes[at % bytes.Length] = (byte)'&';
            }

            return bytes;
        }).Sample(bytes =>
        {
            if (ModifiedUtf7.TryDecode(bytes, out var name))
            {
                ModifiedUtf7.Encode(name).Should().Be(Encoding.ASCII.GetString(bytes));
            }
        }, iter: 100_000);
    }
}
