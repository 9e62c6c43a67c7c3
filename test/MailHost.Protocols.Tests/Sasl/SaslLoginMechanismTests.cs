using System.Text;
using MailHost.Protocols.Sasl;

namespace MailHost.Protocols.Tests.Sasl;

public class SaslLoginMechanismTests
{
    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static string Base64(SaslStep step) => Encoding.ASCII.GetString(SaslWireFormat.EncodeChallenge(step.Data.Span));

    [Fact]
    public void Challenges_username_then_password()
    {
        var mechanism = new SaslLoginMechanism();
        var first = mechanism.Start();
        first.Kind.Should().Be(SaslStepKind.Challenge);
        Base64(first).Should().Be("VXNlcm5hbWU6");

        var second = mechanism.Continue(Bytes("alice"));
        second.Kind.Should().Be(SaslStepKind.Challenge);
        Base64(second).Should().Be("UGFzc3dvcmQ6");

        var third = mechanism.Continue(Bytes("secret"));
        third.Kind.Should().Be(SaslStepKind.VerifyPassword);
        third.AuthenticationId.Should().Be("alice");
        third.AuthorizationId.Should().BeNull();
        third.Password.Should().Be("secret");
    }

    [Fact]
    public void Initial_response_is_the_username()
    {
        var mechanism = new SaslLoginMechanism();
        var first = mechanism.Start(Bytes("alice@example.com"));
        Base64(first).Should().Be("UGFzc3dvcmQ6");
        mechanism.Continue(Bytes("pw")).AuthenticationId.Should().Be("alice@example.com");
    }

    [Fact]
    public void Empty_initial_response_asks_for_the_username()
    {
        var mechanism = new SaslLoginMechanism();
        Base64(mechanism.Start([])).Should().Be("VXNlcm5hbWU6");
    }

    [Fact]
    public void Empty_password_is_passed_to_the_driver()
    {
        var mechanism = new SaslLoginMechanism();
        mechanism.Start(Bytes("alice"));
        var step = mechanism.Continue([]);
        step.Kind.Should().Be(SaslStepKind.VerifyPassword);
        step.Password.Should().BeEmpty();
    }

    [Fact]
    public void Empty_username_is_malformed()
    {
        var mechanism = new SaslLoginMechanism();
        mechanism.Start();
        mechanism.Continue([]).Failure.Should().Be(SaslFailure.Malformed);
    }

    [Fact]
    public void Nul_in_username_or_password_is_malformed()
    {
        new SaslLoginMechanism().Start(Bytes("al\0ice")).Failure.Should().Be(SaslFailure.Malformed);
        var mechanism = new SaslLoginMechanism();
        mechanism.Start(Bytes("alice"));
        var step = mechanism.Continue(Bytes("pw\0x"));
        step.Failure.Should().Be(SaslFailure.Malformed);
        step.AuthenticationId.Should().Be("alice");
    }

    [Fact]
    public void Invalid_utf8_username_is_malformed() =>
        new SaslLoginMechanism().Start([0xFF, 0xFE]).Failure.Should().Be(SaslFailure.Malformed);
}
