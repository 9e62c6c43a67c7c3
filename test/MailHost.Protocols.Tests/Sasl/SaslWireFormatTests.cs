using System.Text;
using MailHost.Protocols.Sasl;

namespace MailHost.Protocols.Tests.Sasl;

public class SaslWireFormatTests
{
    private static (bool Ok, byte[] Data, SaslFailure Failure) Decode(string text, bool initial = false)
    {
        var destination = new byte[SaslWireFormat.MaxDecodedLength];
        var ok = SaslWireFormat.TryDecodeResponse(Encoding.ASCII.GetBytes(text), initial, destination, out var written, out var failure);
        return (ok, destination[..written], failure);
    }

    [Fact]
    public void Valid_base64_decodes()
    {
        var (ok, data, _) = Decode("AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
        ok.Should().BeTrue();
        Encoding.ASCII.GetString(data).Should().Be("\0tim\0tanstaaftanstaaf");
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AHRpbQ")] // missing padding
    [InlineData("AHRp bQ==")] // whitespace
    [InlineData("AHRp-Q==")] // URL alphabet
    [InlineData("A===")]
    [InlineData("=AAA")]
    public void Invalid_base64_is_malformed(string text)
    {
        var (ok, _, failure) = Decode(text);
        ok.Should().BeFalse();
        failure.Should().Be(SaslFailure.Malformed);
    }

    [Fact]
    public void Star_cancels_a_continuation()
    {
        var (ok, _, failure) = Decode("*");
        ok.Should().BeFalse();
        failure.Should().Be(SaslFailure.Cancelled);
    }

    [Fact]
    public void Star_as_initial_response_is_malformed()
    {
        var (ok, _, failure) = Decode("*", initial: true);
        ok.Should().BeFalse();
        failure.Should().Be(SaslFailure.Malformed);
    }

    [Theory]
    [InlineData("=", true)]
    [InlineData("=", false)]
    [InlineData("", false)]
    public void Equals_sign_and_empty_continuation_are_empty_responses(string text, bool initial)
    {
        var (ok, data, _) = Decode(text, initial);
        ok.Should().BeTrue();
        data.Should().BeEmpty();
    }

    [Fact]
    public void Empty_initial_response_argument_is_malformed()
    {
        var (ok, _, failure) = Decode("", initial: true);
        ok.Should().BeFalse();
        failure.Should().Be(SaslFailure.Malformed);
    }

    [Fact]
    public void Response_of_12288_octets_is_accepted()
    {
        var text = Convert.ToBase64String(new byte[SaslWireFormat.MaxDecodedLength]);
        text.Length.Should().Be(12288);
        var (ok, data, _) = Decode(text);
        ok.Should().BeTrue();
        data.Length.Should().Be(9216);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Response_of_12289_octets_is_too_long(bool initial)
    {
        var text = new string('A', 12289);
        var (ok, _, failure) = Decode(text, initial);
        ok.Should().BeFalse();
        failure.Should().Be(SaslFailure.TooLong);
    }

    [Theory]
    [InlineData("Username:", "VXNlcm5hbWU6")]
    [InlineData("Password:", "UGFzc3dvcmQ6")]
    [InlineData("", "")]
    public void Challenges_encode_to_base64(string challenge, string expected) =>
        Encoding.ASCII.GetString(SaslWireFormat.EncodeChallenge(Encoding.ASCII.GetBytes(challenge))).Should().Be(expected);
}
