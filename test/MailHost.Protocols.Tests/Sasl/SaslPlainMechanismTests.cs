using System.Text;
using MailHost.Protocols.Sasl;

namespace MailHost.Protocols.Tests.Sasl;

public class SaslPlainMechanismTests
{
    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Rfc4616_example_without_authzid()
    {
        // RFC 4616 §4: "\0tim\0tanstaaftanstaaf"
        var step = new SaslPlainMechanism().Start(Bytes("\0tim\0tanstaaftanstaaf"));
        step.Kind.Should().Be(SaslStepKind.VerifyPassword);
        step.AuthenticationId.Should().Be("tim");
        step.AuthorizationId.Should().BeNull();
        step.Password.Should().Be("tanstaaftanstaaf");
    }

    [Fact]
    public void Rfc4616_example_with_authzid()
    {
        // RFC 4616 §4: "Ursel\0Kurt\0xipj3plmq" - Kurt acts as Ursel; the driver decides whether that is allowed.
        var step = new SaslPlainMechanism().Start(Bytes("Ursel\0Kurt\0xipj3plmq"));
        step.Kind.Should().Be(SaslStepKind.VerifyPassword);
        step.AuthenticationId.Should().Be("Kurt");
        step.AuthorizationId.Should().Be("Ursel");
        step.Password.Should().Be("xipj3plmq");
    }

    [Fact]
    public void Without_initial_response_sends_empty_challenge_then_reads_message()
    {
        var mechanism = new SaslPlainMechanism();
        var first = mechanism.Start();
        first.Kind.Should().Be(SaslStepKind.Challenge);
        first.Data.Length.Should().Be(0);
        var second = mechanism.Continue(Bytes("\0alice\0secret"));
        second.Kind.Should().Be(SaslStepKind.VerifyPassword);
        second.AuthenticationId.Should().Be("alice");
        mechanism.IsCompleted.Should().BeTrue();
    }

    [Theory]
    [InlineData("alice\0secret")] // two fields
    [InlineData("\0alice\0se\0cret")] // four fields: NUL inside the password
    [InlineData("\0al\0ice\0secret")] // four fields: NUL inside the name
    [InlineData("nonul")]
    [InlineData("\0\0secret")] // empty authcid
    [InlineData("")]
    public void Wrong_field_count_or_empty_authcid_is_malformed(string message)
    {
        var step = new SaslPlainMechanism().Start(Bytes(message));
        step.Kind.Should().Be(SaslStepKind.Failure);
        step.Failure.Should().Be(SaslFailure.Malformed);
    }

    [Fact]
    public void Invalid_utf8_is_malformed()
    {
        var step = new SaslPlainMechanism().Start([0, (byte)'a', 0xC3, 0x28, 0, (byte)'p']);
        step.Failure.Should().Be(SaslFailure.Malformed);
    }

    [Fact]
    public void Empty_password_is_passed_to_the_driver()
    {
        var step = new SaslPlainMechanism().Start(Bytes("\0alice\0"));
        step.Kind.Should().Be(SaslStepKind.VerifyPassword);
        step.Password.Should().BeEmpty();
    }

    [Fact]
    public void Utf8_names_and_passwords_round_trip()
    {
        var step = new SaslPlainMechanism().Start(Bytes("\0jörg@exämple.de\0pässwörd"));
        step.AuthenticationId.Should().Be("jörg@exämple.de");
        step.Password.Should().Be("pässwörd");
    }

    [Fact]
    public void Step_text_never_shows_the_password()
    {
        var step = new SaslPlainMechanism().Start(Bytes("\0alice\0hunter2"));
        step.ToString().Should().NotContain("hunter2");
    }

    [Fact]
    public void Calls_out_of_order_are_programming_errors()
    {
        var mechanism = new SaslPlainMechanism();
        mechanism.Start(Bytes("\0a\0b"));
        var act = () => mechanism.Continue(Bytes("x"));
        act.Should().Throw<InvalidOperationException>();
    }

    [Theory]
    [InlineData("plain", typeof(SaslPlainMechanism))]
    [InlineData("LOGIN", typeof(SaslLoginMechanism))]
    [InlineData("Scram-Sha-256", typeof(SaslScramSha256Mechanism))]
    public void Create_finds_mechanisms_case_insensitively(string name, Type expected) =>
        SaslMechanism.Create(name).Should().BeOfType(expected);

    [Fact]
    public void Create_returns_null_for_unknown_names() => SaslMechanism.Create("CRAM-MD5").Should().BeNull();
}
