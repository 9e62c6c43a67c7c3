using System.Text;
using MailHost.Protocols.Text;

namespace MailHost.Protocols.Tests.Text;

/// <summary>The grammar the SMTP and POP3 parsers share: AUTH arguments, HTTP recognition, unknown verbs.</summary>
public sealed class LineCommandSyntaxTests
{
    [Theory]
    // RFC 4954 §4 / RFC 5034 §4: a mechanism, upper-cased, and an optional initial response as sent.
    [InlineData("PLAIN", "Valid", "PLAIN", null)]
    [InlineData("plain AGFsaWNl", "Valid", "PLAIN", "AGFsaWNl")]
    [InlineData("SCRAM-SHA-256 =", "Valid", "SCRAM-SHA-256", "=")]
    [InlineData("", "Syntax", null, null)]
    [InlineData("PL@IN", "Syntax", null, null)]
    [InlineData("ABCDEFGHIJKLMNOPQRSTU", "Syntax", null, null)]
    [InlineData("PLAIN ", "Syntax", null, null)]
    [InlineData("PLAIN a b", "Syntax", null, null)]
    [InlineData("PLAIN 123456789", "TooLong", null, null)]
    public void Parses_auth_arguments(string arguments, string expected, string? mechanism, string? initialResponse)
    {
        var status = LineCommandSyntax.TryParseAuthArguments(Encoding.UTF8.GetBytes(arguments), 8, out var parsedMechanism, out var parsedResponse);

        status.ToString().Should().Be(expected);
        parsedMechanism.Should().Be(mechanism);
        parsedResponse.Should().Be(initialResponse);
    }

    [Fact]
    public void An_initial_response_outside_ascii_is_a_syntax_error()
    {
        LineCommandSyntax.TryParseAuthArguments("PLAIN \u00E9"u8, 8, out _, out _).Should().Be(AuthArgumentsStatus.Syntax);
    }

    [Theory]
    // SECURITY A6 (ALPACA): request lines and header fields, in any case.
    [InlineData("GET", true, "GET")]
    [InlineData("post", true, "POST")]
    [InlineData("PRI", true, "PRI")]
    [InlineData("Host:", true, "header")]
    [InlineData("User-Agent:", true, "header")]
    [InlineData(":", false, null)]
    [InlineData("GETS", false, null)]
    [InlineData("EHLO", false, null)]
    public void Recognises_http(string verb, bool isHttp, string? method)
    {
        LineCommandSyntax.LooksLikeHttp(Encoding.ASCII.GetBytes(verb), out var found).Should().Be(isHttp);
        if (isHttp)
        {
            found.Should().Be(method);
        }
    }

    [Theory]
    [InlineData("xlist", "XLIST")]
    [InlineData("ABCDEFGHIJKLMNOP", "ABCDEFGHIJKLMNOP")]
    [InlineData("ABCDEFGHIJKLMNOPQ", "")]
    [InlineData("X-FOO", "")]
    [InlineData("", "")]
    public void Reports_an_unknown_verb_only_as_letters_and_digits(string verb, string reported)
    {
        LineCommandSyntax.SanitizeVerb(Encoding.ASCII.GetBytes(verb)).Should().Be(reported);
    }
}
