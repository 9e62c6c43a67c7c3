using System.Text;
using MailHost.Protocols.Text;

namespace MailHost.Protocols.Tests.Text;

/// <summary>
/// Redaction of whatever a session traces at once: every line is judged on its own, so a secret is hidden whatever
/// comes before it.
/// </summary>
public class ProtocolTraceRedactorLinesTests
{
    private static string[] Imap(string text) => [.. ProtocolTraceRedactor.RedactImapLines(Encoding.ASCII.GetBytes(text))];

    private static string[] Pop3(string text) => [.. ProtocolTraceRedactor.RedactPop3Lines(Encoding.ASCII.GetBytes(text))];

    private static string[] Smtp(string text) => [.. ProtocolTraceRedactor.RedactSmtpLines(Encoding.ASCII.GetBytes(text))];

    [Fact]
    public void A_LOGIN_after_the_line_of_a_refused_APPEND_is_redacted()
    {
        Imap("a APPEND INBOX {5}\r\nb LOGIN alice secret\r\n").Should().Equal("a APPEND INBOX {5}", "b LOGIN <redacted>");
    }

    [Fact]
    public void The_literals_of_a_LOGIN_are_hidden_with_it()
    {
        Imap("c LOGIN {5}\r\nalice {6}\r\nsecret\r\n").Should().Equal("c LOGIN <redacted>", "<redacted>");
        Imap("c LOGIN alice {6+}\r\nse\r\nt\r\n").Should().Equal("c LOGIN <redacted>", "<redacted>");
    }

    [Fact]
    public void A_secret_after_a_bare_LF_is_judged_as_its_own_line()
    {
        Imap("a NOOP\nb LOGIN alice secret\r\n").Should().Equal("a NOOP", "b LOGIN <redacted>");
        Smtp("NOOP\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n").Should().Equal("NOOP", "AUTH PLAIN <redacted>");
    }

    [Theory]
    [InlineData("AGFsaWNlAHNlY3JldA==")]
    [InlineData("c2VjcmV0")]
    [InlineData("=")]
    [InlineData("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl-_w")] // a raw JWT (RFC 7519 §3)
    [InlineData("ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg~")] // an RFC 6750 b64token
    public void A_lone_base64_word_is_hidden_as_a_SASL_response_sent_out_of_turn(string line)
    {
        Imap(line + "\r\n").Should().Equal(ProtocolTraceRedactor.RedactedMarker);
        Pop3(line + "\r\n").Should().Equal(ProtocolTraceRedactor.RedactedMarker);
        Smtp(line + "\r\n").Should().Equal(ProtocolTraceRedactor.RedactedMarker);
    }

    [Theory]
    [InlineData("QUIT")]
    [InlineData("noop")]
    [InlineData("STARTTLS")]
    [InlineData("DATA")]
    public void One_word_SMTP_commands_are_shown(string line)
    {
        Smtp(line + "\r\n").Should().Equal(line);
    }

    [Theory]
    [InlineData("STAT")]
    [InlineData("CAPA")]
    [InlineData("stls")]
    public void One_word_POP3_commands_are_shown(string line)
    {
        Pop3(line + "\r\n").Should().Equal(line);
    }

    [Fact]
    public void A_literal_of_an_ordinary_command_is_shown()
    {
        Imap("a SELECT {5}\r\nINBOX\r\n").Should().Equal("a SELECT {5}", "INBOX");
    }

    [Fact]
    public void Ordinary_lines_are_escaped_as_before()
    {
        Pop3("USER alice\r\nPASS my secret\r\n").Should().Equal("USER alice", "PASS <redacted>");
        Smtp("MAIL FROM:<a@b.example>\r\n").Should().Equal("MAIL FROM:<a@b.example>");
        Imap("a NOOP\r\n").Should().Equal("a NOOP");
    }
}
