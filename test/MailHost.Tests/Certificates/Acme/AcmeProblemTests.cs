using MailHost.Certificates.Acme;

namespace MailHost.Tests.Certificates.Acme;

/// <summary>Problem documents (RFC 7807, RFC 8555 §6.7) read into one clear log line.</summary>
public sealed class AcmeProblemTests
{
    [Fact]
    public void A_problem_with_subproblems_names_each_identifier()
    {
        // RFC 8555 §6.7.1's example.
        var problem = AcmeProblem.Parse("""
            {
                "type": "urn:ietf:params:acme:error:malformed",
                "detail": "Some of the identifiers requested were rejected",
                "subproblems": [
                    { "type": "urn:ietf:params:acme:error:malformed", "detail": "Invalid underscore in DNS name \"_example.org\"",
                      "identifier": { "type": "dns", "value": "_example.org" } },
                    { "type": "urn:ietf:params:acme:error:rejectedIdentifier", "detail": "This CA will not issue for \"example.net\"",
                      "identifier": { "type": "dns", "value": "example.net" } }
                ]
            }
            """u8)!;

        problem.ShortType.Should().Be("malformed");
        problem.ToString().Should().Be(
            "malformed: Some of the identifiers requested were rejected [_example.org: malformed: Invalid underscore in DNS name \"_example.org\"] "
            + "[example.net: rejectedIdentifier: This CA will not issue for \"example.net\"]");
    }

    [Fact]
    public void BadNonce_is_recognised_and_a_body_that_is_not_JSON_is_no_problem()
    {
        AcmeProblem.Parse("""{"type":"urn:ietf:params:acme:error:badNonce","detail":"JWS has an invalid anti-replay nonce","status":400}"""u8)!
            .Should().Match<AcmeProblem>(p => p.IsBadNonce && p.Status == 400);
        AcmeProblem.Parse("<html>502</html>"u8).Should().BeNull();
    }

    [Fact]
    public void The_exception_message_carries_the_problem()
    {
        var problem = new AcmeProblem(AcmeProblem.ErrorPrefix + "rateLimited", "too many certificates", 429, [], null);

        new AcmeException("POST https://acme.test/new-order was refused with 429", problem).Message
            .Should().Be("POST https://acme.test/new-order was refused with 429: rateLimited: too many certificates");
    }
}
