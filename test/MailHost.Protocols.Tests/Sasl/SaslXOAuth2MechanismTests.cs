using System.Text;
using MailHost.Protocols.Sasl;

namespace MailHost.Protocols.Tests.Sasl;

public class SaslXOAuth2MechanismTests
{
    // Google's documented XOAUTH2 example (developers.google.com, "OAuth 2.0 Mechanism"), base64 as sent.
    private const string GoogleInitialResponse =
        "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==";

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s.Replace("^A", "\u0001", StringComparison.Ordinal));

    [Fact]
    public void Googles_example_asks_for_the_token_to_be_verified()
    {
        var buffer = new byte[SaslWireFormat.MaxDecodedLength];
        SaslWireFormat.TryDecodeResponse(Encoding.ASCII.GetBytes(GoogleInitialResponse), true, buffer, out var written, out _).Should().BeTrue();
        var step = new SaslXOAuth2Mechanism().Start(buffer.AsSpan(0, written));
        step.Kind.Should().Be(SaslStepKind.VerifyBearerToken);
        step.AuthorizationId.Should().Be("someuser@example.com");
        step.BearerToken.Should().Be("ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");
    }

    [Fact]
    public void Without_initial_response_sends_an_empty_challenge_then_accepts()
    {
        var mechanism = new SaslXOAuth2Mechanism();
        var first = mechanism.Start();
        first.Kind.Should().Be(SaslStepKind.Challenge);
        first.Data.Length.Should().Be(0);
        mechanism.Continue(Bytes("user=alice@example.com^Aauth=Bearer tok^A^A")).Kind.Should().Be(SaslStepKind.VerifyBearerToken);
        var success = mechanism.AcceptToken("alice");
        success.Kind.Should().Be(SaslStepKind.Success);
        success.AuthenticationId.Should().Be("alice");
        success.AuthorizationId.Should().Be("alice@example.com");
        mechanism.IsCompleted.Should().BeTrue();
    }

    [Theory]
    [InlineData("")] // what clients send: an empty line
    [InlineData("^A")] // what OAUTHBEARER clients send
    public void A_refused_token_sends_the_error_then_fails_whatever_the_answer(string answer)
    {
        var mechanism = new SaslXOAuth2Mechanism();
        mechanism.Start(Bytes("user=alice^Aauth=Bearer tok^A^A"));
        var challenge = mechanism.RejectToken("{\"status\":\"invalid_token\"}"u8.ToArray());
        challenge.Kind.Should().Be(SaslStepKind.Challenge);
        Encoding.UTF8.GetString(challenge.Data.Span).Should().Be("{\"status\":\"invalid_token\"}");
        var end = mechanism.Continue(Bytes(answer));
        end.Kind.Should().Be(SaslStepKind.Failure);
        end.Failure.Should().Be(SaslFailure.AuthenticationFailed);
        mechanism.IsCompleted.Should().BeTrue();
    }

    [Theory]
    [InlineData("auth before user", "auth=Bearer tok^Auser=alice^A^A", "alice")]
    [InlineData("scheme in lower case", "user=alice^Aauth=bearer tok^A^A", "alice")]
    [InlineData("UTF-8 user", "user=jörg@exämple.de^Aauth=Bearer tok^A^A", "jörg@exämple.de")]
    public void Accepted_forms(string name, string message, string user)
    {
        _ = name;
        var step = new SaslXOAuth2Mechanism().Start(Bytes(message));
        step.Kind.Should().Be(SaslStepKind.VerifyBearerToken, step.ToString());
        step.AuthorizationId.Should().Be(user);
        step.BearerToken.Should().Be("tok");
    }

    [Theory]
    [InlineData("")]
    [InlineData("^A")]
    [InlineData("user=alice^Aauth=Bearer tok^A")] // no empty pair at the end (some old scripts)
    [InlineData("user=alice^Aauth=Bearer tok")]
    [InlineData("user=alice^Aauth=Bearer tok^A^Ax")]
    [InlineData("auth=Bearer tok^A^A")] // no user
    [InlineData("user=alice^A^A")] // no auth
    [InlineData("user=^Aauth=Bearer tok^A^A")] // empty user
    [InlineData("user=al\u0001ice^Aauth=Bearer tok^A^A")] // splits into a pair without '='
    [InlineData("user=al\tice^Aauth=Bearer tok^A^A")] // control character in the user
    [InlineData("user=alice^Auser=bob^Aauth=Bearer tok^A^A")]
    [InlineData("user=alice^Ahost=x^Aauth=Bearer tok^A^A")] // a key XOAUTH2 does not define
    [InlineData("user=alice^Aauth=Bearer a b^A^A")]
    [InlineData("user=alice^Aauth=Bearer ^A^A")]
    [InlineData("n,,^Aauth=Bearer tok^A^A")] // an OAUTHBEARER message
    public void Malformed_messages_are_refused(string message)
    {
        var step = new SaslXOAuth2Mechanism().Start(Bytes(message));
        step.Kind.Should().Be(SaslStepKind.Failure);
        step.Failure.Should().Be(SaslFailure.Malformed);
        step.Message.Should().StartWith("XOAUTH2 ");
    }

    [Fact]
    public void A_user_that_is_not_UTF8_is_malformed()
    {
        byte[] message = [.. "user="u8, 0xC3, 0x28, 1, .. "auth=Bearer tok"u8, 1, 1];
        new SaslXOAuth2Mechanism().Start(message).Failure.Should().Be(SaslFailure.Malformed);
    }

    [Fact]
    public void Schemes_other_than_Bearer_are_unsupported()
    {
        new SaslXOAuth2Mechanism().Start(Bytes("user=alice^Aauth=Basic YWxpY2U6cHc=^A^A")).Failure.Should().Be(SaslFailure.Unsupported);
    }
}
