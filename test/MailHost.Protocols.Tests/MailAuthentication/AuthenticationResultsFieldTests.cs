using System.Text;
using MailHost.Protocols.MailAuthentication;

namespace MailHost.Protocols.Tests.MailAuthentication;

public class AuthenticationResultsFieldTests
{
    [Fact]
    public void The_field_has_one_resinfo_per_folded_line()
    {
        var text = AuthenticationResultsField.Format("mx.example.com", [
            new("spf", "pass") { Comment = "matched mx", Properties = [new("smtp", "mailfrom", "sender@example.org")] },
            new("dkim", "pass") { Properties = [new("header", "d", "example.org"), new("header", "s", "sel")] },
            new("dmarc", "pass") { Properties = [new("header", "from", "example.org")] },
        ]);
        text.Should().Be(
            "Authentication-Results: mx.example.com;\r\n" +
            "\tspf=pass (matched mx) smtp.mailfrom=sender@example.org;\r\n" +
            "\tdkim=pass header.d=example.org header.s=sel;\r\n" +
            "\tdmarc=pass header.from=example.org\r\n");
    }

    [Fact]
    public void Without_results_the_field_says_none()
        => AuthenticationResultsField.Format("mx.example.com", []).Should().Be("Authentication-Results: mx.example.com; none\r\n");

    [Theory]
    [InlineData("example.org", "example.org")]
    [InlineData("a.b+c@example.org", "a.b+c@example.org")]
    [InlineData("\"quoted local\"@example.org", "\"\\\"quoted local\\\"@example.org\"")]
    [InlineData("x\r\nInjected: yes", "\"xInjected: yes\"")]
    [InlineData("semi;colon", "\"semi;colon\"")]
    [InlineData("b\u00fccher", "\"bcher\"")]
    [InlineData("\r\n", null)]
    public void Values_become_tokens_addresses_or_quoted_strings_without_controls(string value, string? expected)
        => AuthenticationResultsField.FormatValue(value, allowAddress: true).Should().Be(expected);

    [Fact]
    public void Nothing_from_DNS_or_the_message_can_break_the_header()
    {
        var hostile = "evil\r\nX-Injected: 1\r\n\r\nbody (with) \\ parens \u0000\u00ff";
        var text = AuthenticationResultsField.Format("mx.example.com", [
            new("dkim", "fail") { Comment = hostile, Properties = [new("header", "d", hostile), new("header", "s", new string('s', 400))] },
        ]);

        // Exactly one field: every CRLF is followed by a tab (a fold), apart from the final one.
        var lines = text[..^2].Split("\r\n");
        lines.Skip(1).Should().OnlyContain(l => l.StartsWith('\t'));
        text.Should().NotContain("\r\nX-Injected");
        Encoding.ASCII.GetBytes(text).Should().OnlyContain(b => b >= 0x20 && b < 0x7F || b == '\r' || b == '\n' || b == '\t');
        text.Should().NotContain("header.s=", "a value longer than the limit is left out");
        text.Should().Contain("(evil??X-Injected: 1????body \\(with\\) \\\\ parens ??)");
    }

    [Theory]
    [InlineData(" mx.example.com; spf=pass", "mx.example.com")]
    [InlineData("\r\n\tMX.example.com 1; none", "MX.example.com")]
    [InlineData(" (comment (nested)) mx.example.com;", "mx.example.com")]
    [InlineData(" \"mx.example.com\"; dkim=pass", "mx.example.com")]
    [InlineData("mx.example.com", "mx.example.com")]
    public void The_authserv_id_is_read_after_comments_and_folding(string value, string expected)
    {
        AuthenticationResultsField.TryReadAuthServId(Encoding.ASCII.GetBytes(value), out var id).Should().BeTrue();
        id.Should().Be(expected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(" (unterminated")]
    [InlineData(" ; spf=pass")]
    public void Without_an_authserv_id_nothing_is_read(string value)
        => AuthenticationResultsField.TryReadAuthServId(Encoding.ASCII.GetBytes(value), out _).Should().BeFalse();
}
