using System.Text;
using MailHost.Protocols.Sasl;

namespace MailHost.Protocols.Tests.Sasl;

public class SaslOAuthBearerMechanismTests
{
    // RFC 7628 §4.1: the initial client response of the successful IMAP exchange, as sent on the wire.
    private const string Rfc7628InitialResponse =
        "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB";

    private const string Rfc7628Token = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";

    // RFC 7628 §4.3: the server's error challenge of the failed exchange, base64 as sent.
    private const string Rfc7628ErrorChallenge =
        "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0=";

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s.Replace("^A", "\u0001", StringComparison.Ordinal));

    private static byte[] Decode(string base64)
    {
        var buffer = new byte[SaslWireFormat.MaxDecodedLength];
        SaslWireFormat.TryDecodeResponse(Encoding.ASCII.GetBytes(base64), isInitialResponse: true, buffer, out var written, out _).Should().BeTrue();
        return buffer[..written];
    }

    [Fact]
    public void Rfc7628_4_1_initial_response_asks_for_the_token_to_be_verified()
    {
        var mechanism = new SaslOAuthBearerMechanism();
        var step = mechanism.Start(Decode(Rfc7628InitialResponse));
        step.Kind.Should().Be(SaslStepKind.VerifyBearerToken);
        step.BearerToken.Should().Be(Rfc7628Token);
        step.AuthorizationId.Should().Be("user@example.com");
        mechanism.Host.Should().Be("server.example.com");
        mechanism.Port.Should().Be(143);
        mechanism.IsCompleted.Should().BeFalse();
    }

    [Fact]
    public void An_accepted_token_ends_in_success_for_the_user_the_token_names()
    {
        var mechanism = new SaslOAuthBearerMechanism();
        mechanism.Start(Decode(Rfc7628InitialResponse));
        var step = mechanism.AcceptToken("alice");
        step.Kind.Should().Be(SaslStepKind.Success);
        step.AuthenticationId.Should().Be("alice");
        step.AuthorizationId.Should().Be("user@example.com");
        step.Data.Length.Should().Be(0);
        mechanism.IsCompleted.Should().BeTrue();
    }

    [Fact]
    public void Rfc7628_4_3_a_refused_token_sends_the_error_then_fails_after_the_dummy_response()
    {
        var mechanism = new SaslOAuthBearerMechanism();
        mechanism.Start(Decode(Rfc7628InitialResponse));
        var error = Decode(Rfc7628ErrorChallenge);

        var challenge = mechanism.RejectToken(error);
        challenge.Kind.Should().Be(SaslStepKind.Challenge);
        challenge.Data.ToArray().Should().Equal(error);
        mechanism.IsCompleted.Should().BeFalse();

        // "C: AQ==" (RFC 7628 §4.3).
        var end = mechanism.Continue(Decode("AQ=="));
        end.Kind.Should().Be(SaslStepKind.Failure);
        end.Failure.Should().Be(SaslFailure.AuthenticationFailed);
        end.Message.Should().Be("OAUTHBEARER token refused.");
        mechanism.IsCompleted.Should().BeTrue();
    }

    [Theory]
    [InlineData("")]
    [InlineData("n,,^Aauth=Bearer abc^A^A")]
    public void Any_other_answer_to_the_error_challenge_still_fails(string answer)
    {
        var mechanism = new SaslOAuthBearerMechanism();
        mechanism.Start(Bytes("n,,^Aauth=Bearer abc^A^A"));
        mechanism.RejectToken("{}"u8.ToArray());
        var end = mechanism.Continue(Bytes(answer));
        end.Kind.Should().Be(SaslStepKind.Failure);
        end.Failure.Should().Be(SaslFailure.AuthenticationFailed);
    }

    [Fact]
    public void Without_initial_response_sends_an_empty_challenge_then_reads_the_message()
    {
        var mechanism = new SaslOAuthBearerMechanism();
        var first = mechanism.Start();
        first.Kind.Should().Be(SaslStepKind.Challenge);
        first.Data.Length.Should().Be(0);
        var second = mechanism.Continue(Bytes("n,a=alice,^Aauth=Bearer abc.def-ghi_jkl~^A^A"));
        second.Kind.Should().Be(SaslStepKind.VerifyBearerToken);
        second.BearerToken.Should().Be("abc.def-ghi_jkl~");
        second.AuthorizationId.Should().Be("alice");
    }

    [Theory]
    [InlineData("no authzid", "n,,^Aauth=Bearer tok^A^A", null, "tok")]
    [InlineData("MailKit without a user name: empty a=", "n,a=,^Ahost=mail.example.com^Aport=993^Aauth=Bearer tok^A^A", null, "tok")]
    [InlineData("y flag: the client could bind, the server offers no -PLUS", "y,a=bob,^Aauth=Bearer tok^A^A", "bob", "tok")]
    [InlineData("scheme in lower case (RFC 9110 §11.1)", "n,,^Aauth=bearer tok^A^A", null, "tok")]
    [InlineData("several spaces before the token", "n,,^Aauth=Bearer   tok^A^A", null, "tok")]
    [InlineData("extension keys are ignored (Kafka's style)", "n,,^ApropA=valueA1, valueA2^Aauth=Bearer 567^ApropB=valueB^A^A", null, "567")]
    [InlineData("saslname escapes decoded", "n,a=a=2Cb=3Dc,^Aauth=Bearer tok^A^A", "a,b=c", "tok")]
    [InlineData("UTF-8 authzid", "n,a=jörg@exämple.de,^Aauth=Bearer tok^A^A", "jörg@exämple.de", "tok")]
    [InlineData("b64token with padding", "n,,^Aauth=Bearer abc+/==^A^A", null, "abc+/==")]
    [InlineData("MailKit: port=-1 when its URI names no port", "n,a=alice@example.com,^Ahost=127.0.0.1^Aport=-1^Aauth=Bearer tok^A^A", "alice@example.com", "tok")]
    public void Accepted_forms(string name, string message, string? user, string token)
    {
        _ = name;
        var step = new SaslOAuthBearerMechanism().Start(Bytes(message));
        step.Kind.Should().Be(SaslStepKind.VerifyBearerToken, step.ToString());
        step.AuthorizationId.Should().Be(user);
        step.BearerToken.Should().Be(token);
    }

    [Theory]
    [InlineData("")]
    [InlineData("^A")] // a lone kvsep answers an error challenge only
    [InlineData("n")]
    [InlineData("x,,^Aauth=Bearer tok^A^A")] // bad gs2-cb-flag
    [InlineData("n,a=alice^Aauth=Bearer tok^A^A")] // unterminated GS2 header
    [InlineData("n,b=alice,^Aauth=Bearer tok^A^A")] // authzid without a=
    [InlineData("n,a=al=ice,^Aauth=Bearer tok^A^A")] // '=' not followed by 2C or 3D
    [InlineData("n,a=al\tice,^Aauth=Bearer tok^A^A")] // control character in the authzid
    [InlineData("n,,auth=Bearer tok^A^A")] // no kvsep after the GS2 header
    [InlineData("n,,^Aauth=Bearer tok^A")] // no empty pair at the end
    [InlineData("n,,^Aauth=Bearer tok")] // no kvsep at all
    [InlineData("n,,^Aauth=Bearer tok^A^Ax")] // data after the end
    [InlineData("n,,^Ahost=example.com^A^A")] // no auth
    [InlineData("n,,^Aauth=Bearer tok^Aauth=Bearer tok^A^A")] // a key twice
    [InlineData("n,,^Aauth=Bearer ^A^A")] // empty token
    [InlineData("n,,^Aauth=Bearer a b^A^A")] // space inside the token
    [InlineData("n,,^Aauth=Bearer a=b^A^A")] // '=' inside the token
    [InlineData("n,,^Aauth=Bearer a\"b^A^A")] // not a b64token character
    [InlineData("n,,^Aauth=Bearertok^A^A")] // no space after the scheme
    [InlineData("n,,^Aauth=^A^A")] // empty auth
    [InlineData("n,,^A=x^Aauth=Bearer tok^A^A")] // empty key
    [InlineData("n,,^Ak1=x^Aauth=Bearer tok^A^A")] // key with a digit
    [InlineData("n,,^Anovalue^Aauth=Bearer tok^A^A")] // pair without '='
    [InlineData("n,,^Aport=65536^Aauth=Bearer tok^A^A")]
    [InlineData("n,,^Aport=14a^Aauth=Bearer tok^A^A")]
    [InlineData("n,,^Aport=-2^Aauth=Bearer tok^A^A")]
    [InlineData("n,,^Aport=^Aauth=Bearer tok^A^A")]
    [InlineData("n,,^Ahost=^Aauth=Bearer tok^A^A")]
    [InlineData("n,,^Ahost=a b^Aauth=Bearer tok^A^A")]
    [InlineData("n,,^Aauth=Bearer tok\u0000^A^A")] // NUL is no VCHAR
    [InlineData("n,,^Aauth=Bearer tök^A^A")] // non-ASCII is no VCHAR
    public void Malformed_messages_are_refused(string message)
    {
        var mechanism = new SaslOAuthBearerMechanism();
        var step = mechanism.Start(Bytes(message));
        step.Kind.Should().Be(SaslStepKind.Failure);
        step.Failure.Should().Be(SaslFailure.Malformed);
        step.Message.Should().StartWith("OAUTHBEARER ");
        mechanism.IsCompleted.Should().BeTrue();
    }

    [Fact]
    public void A_token_over_the_limit_is_malformed_and_one_at_it_is_not()
    {
        var atLimit = new string('a', SaslWireFormat.MaxDecodedLength);
        new SaslOAuthBearerMechanism().Start(Bytes("n,,^Aauth=Bearer " + atLimit + "^A^A")).Kind.Should().Be(SaslStepKind.VerifyBearerToken);
        new SaslOAuthBearerMechanism().Start(Bytes("n,,^Aauth=Bearer " + atLimit + "a^A^A")).Failure.Should().Be(SaslFailure.Malformed);
    }

    [Fact]
    public void Too_many_pairs_are_malformed()
    {
        var pairs = string.Concat(Enumerable.Repeat("x=1^A", 16));
        new SaslOAuthBearerMechanism().Start(Bytes("n,,^A" + pairs + "auth=Bearer tok^A^A")).Failure.Should().Be(SaslFailure.Malformed);
    }

    [Theory]
    [InlineData("p=tls-unique,,^Aauth=Bearer tok^A^A")] // channel binding (RFC 5801 §4)
    [InlineData("n,a=user@example.com,^Ahost=example.com^Aport=143^Aauth=OAuth oauth_consumer_key=\"q\",oauth_signature_method=\"HMAC-SHA1\"^A^A")] // RFC 7628 §4.2: OAuth 1.0a
    public void Channel_binding_and_schemes_other_than_Bearer_are_unsupported(string message)
    {
        var step = new SaslOAuthBearerMechanism().Start(Bytes(message));
        step.Kind.Should().Be(SaslStepKind.Failure);
        step.Failure.Should().Be(SaslFailure.Unsupported);
    }

    [Fact]
    public void The_step_text_never_shows_the_token()
    {
        var step = new SaslOAuthBearerMechanism().Start(Bytes("n,a=alice,^Aauth=Bearer SecretTokenValue^A^A"));
        step.ToString().Should().NotContain("SecretTokenValue").And.Contain("alice");
    }

    [Fact]
    public void Token_verdicts_are_only_taken_after_a_token_was_read()
    {
        var mechanism = new SaslOAuthBearerMechanism();
        var accept = () => mechanism.AcceptToken("alice");
        accept.Should().Throw<InvalidOperationException>();
        mechanism.Start();
        var reject = () => mechanism.RejectToken(default);
        reject.Should().Throw<InvalidOperationException>();
        var plain = () => new SaslPlainMechanism().AcceptToken("alice");
        plain.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void Create_knows_both_bearer_token_mechanisms()
    {
        SaslMechanism.Create("oauthbearer").Should().BeOfType<SaslOAuthBearerMechanism>();
        SaslMechanism.Create("XOAUTH2").Should().BeOfType<SaslXOAuth2Mechanism>();
        SaslMechanismNames.BearerToken.Should().Equal("OAUTHBEARER", "XOAUTH2");
        SaslMechanismNames.All.Should().Contain(SaslMechanismNames.BearerToken);
    }
}
