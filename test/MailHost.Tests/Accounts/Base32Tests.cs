using System.Text;
using MailHost.Accounts;

namespace MailHost.Tests.Accounts;

public sealed class Base32Tests
{
    // RFC 4648 §10, the BASE32 test vectors.
    [Theory]
    [InlineData("", "")]
    [InlineData("f", "MY======")]
    [InlineData("fo", "MZXQ====")]
    [InlineData("foo", "MZXW6===")]
    [InlineData("foob", "MZXW6YQ=")]
    [InlineData("fooba", "MZXW6YTB")]
    [InlineData("foobar", "MZXW6YTBOI======")]
    public void Encodes_the_rfc_4648_test_vectors(string data, string expected)
    {
        Base32.Encode(Encoding.ASCII.GetBytes(data), padding: true).Should().Be(expected);
        Base32.Encode(Encoding.ASCII.GetBytes(data), padding: false).Should().Be(expected.TrimEnd('='));
    }

    [Fact]
    public void Encodes_the_rfc_6238_test_key_as_authenticator_apps_expect()
    {
        // RFC 6238 Appendix B's SHA-1 key, "12345678901234567890": the base32 form apps are given for it.
        Base32.Encode(Encoding.ASCII.GetBytes("12345678901234567890"), padding: false).Should().Be("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    [Fact]
    public void Every_byte_value_round_trips_through_a_reference_decoder()
    {
        var data = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

        var encoded = Base32.Encode(data, padding: false);

        encoded.Should().MatchRegex("^[A-Z2-7]+$");
        Decode(encoded).Should().Equal(data);
    }

    private static byte[] Decode(string text)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bits = string.Concat(text.Select(c => Convert.ToString(Alphabet.IndexOf(c, StringComparison.Ordinal), 2).PadLeft(5, '0')));
        return [.. Enumerable.Range(0, bits.Length / 8).Select(i => Convert.ToByte(bits.Substring(i * 8, 8), 2))];
    }
}
