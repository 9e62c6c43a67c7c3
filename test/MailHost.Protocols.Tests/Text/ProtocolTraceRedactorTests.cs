using System.Text;
using CsCheck;
using MailHost.Protocols.Text;

namespace MailHost.Protocols.Tests.Text;

public class ProtocolTraceRedactorTests
{
    [Theory]
    [InlineData("a1 LOGIN alice secret\r\n", "a1 LOGIN <redacted>")]
    [InlineData("a1 login \"alice\" \"se cret\"\r\n", "a1 login <redacted>")]
    [InlineData("a1 LOGIN {5}\r\n", "a1 LOGIN <redacted>")]
    [InlineData("a1 LoGiN alice pw", "a1 LoGiN <redacted>")]
    [InlineData("a2 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\n", "a2 AUTHENTICATE PLAIN <redacted>")]
    [InlineData("a2 authenticate plain =\r\n", "a2 authenticate plain <redacted>")]
    [InlineData("a2 AUTHENTICATE SCRAM-SHA-256 biwsbj1hbGljZSxyPXh5eg==\r\n", "a2 AUTHENTICATE SCRAM-SHA-256 <redacted>")]
    [InlineData("a2 AUTHENTICATE PLAIN\tAGFsaWNl\r\n", "a2 AUTHENTICATE <redacted>")] // not SP: hide it all
    [InlineData("a2 AUTHENTICATE  AGFsaWNl\r\n", "a2 AUTHENTICATE <redacted>")]
    [InlineData("a2 AUTHENTICATE AVERYLONGMECHANISMNAMETHATISNOTONE\r\n", "a2 AUTHENTICATE <redacted>")]
    [InlineData("t\u0016 LOGIN x\r\n", "t\\16 LOGIN <redacted>")] // output is escaped like Escape
    public void Imap_secrets_are_redacted(string line, string expected)
    {
        ProtocolTraceRedactor.RedactImapCommand(Encoding.Latin1.GetBytes(line)).Should().Be(expected);
    }

    [Theory]
    [InlineData("a1 LOGIN\r\n")] // no arguments, nothing to hide
    [InlineData("a2 AUTHENTICATE PLAIN\r\n")] // the response comes on a continuation line
    [InlineData("a2 AUTHENTICATE SCRAM-SHA-256")]
    [InlineData("a3 UID FETCH 1:* (FLAGS)\r\n")]
    [InlineData("a4 SELECT INBOX\r\n")]
    [InlineData("a5 LOGOUT\r\n")]
    [InlineData("LOGIN alice secret\r\n")] // "LOGIN" is the tag here; "alice" is the command
    [InlineData("\r\n")]
    [InlineData("")]
    public void Imap_lines_without_secrets_give_null(string line)
    {
        ProtocolTraceRedactor.RedactImapCommand(Encoding.Latin1.GetBytes(line)).Should().BeNull();
    }

    [Theory]
    [InlineData("PASS secret\r\n", "PASS <redacted>")]
    [InlineData("pass my secret with spaces\r\n", "pass <redacted>")]
    [InlineData("PASS \r\n", "PASS <redacted>")]
    [InlineData("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n", "AUTH PLAIN <redacted>")]
    [InlineData("auth login YWxpY2U=\r\n", "auth login <redacted>")]
    [InlineData("APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n", "APOP mrose <redacted>")]
    [InlineData("apop c4c9334bac560ecc979e58001b3e22fb\r\n", "apop <redacted>")]
    public void Pop3_secrets_are_redacted(string line, string expected)
    {
        ProtocolTraceRedactor.RedactPop3Command(Encoding.ASCII.GetBytes(line)).Should().Be(expected);
    }

    [Theory]
    [InlineData("USER alice\r\n")]
    [InlineData("PASS\r\n")]
    [InlineData("AUTH PLAIN\r\n")]
    [InlineData("AUTH\r\n")]
    [InlineData("RETR 1\r\n")]
    [InlineData("CAPA\r\n")]
    public void Pop3_lines_without_secrets_give_null(string line)
    {
        ProtocolTraceRedactor.RedactPop3Command(Encoding.ASCII.GetBytes(line)).Should().BeNull();
    }

    [Theory]
    [InlineData("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n", "AUTH PLAIN <redacted>")]
    [InlineData("auth plain =\r\n", "auth plain <redacted>")]
    [InlineData("AUTH LOGIN YWxpY2U=\r\n", "AUTH LOGIN <redacted>")]
    [InlineData("AUTH XOAUTH2 dXNlcj1hbGljZQFhdXRoPUJlYXJlciB4eXoBAQ==\r\n", "AUTH XOAUTH2 <redacted>")]
    [InlineData("AUTH PLAIN\u00A0AGFs\r\n", "AUTH <redacted>")]
    public void Smtp_secrets_are_redacted(string line, string expected)
    {
        ProtocolTraceRedactor.RedactSmtpCommand(Encoding.Latin1.GetBytes(line)).Should().Be(expected);
    }

    [Theory]
    [InlineData("AUTH PLAIN\r\n")]
    [InlineData("AUTH CRAM-MD5\r\n")]
    [InlineData("EHLO client.example.com\r\n")]
    [InlineData("MAIL FROM:<alice@example.com>\r\n")]
    [InlineData("RCPT TO:<bob@example.com>\r\n")]
    public void Smtp_lines_without_secrets_give_null(string line)
    {
        ProtocolTraceRedactor.RedactSmtpCommand(Encoding.ASCII.GetBytes(line)).Should().BeNull();
    }

    [Fact]
    public void Long_redacted_line_respects_the_length_cap_and_never_shows_the_secret()
    {
        string tag = new('t', 2000);
        var redacted = ProtocolTraceRedactor.RedactImapCommand(Encoding.ASCII.GetBytes(tag + " LOGIN alice SECRET\r\n"), maxLength: 100);
        redacted.Should().NotBeNull();
        redacted!.Length.Should().BeLessThanOrEqualTo(100);
        redacted.Should().NotContain("SECRET").And.EndWith(" bytes)");
    }

    [Fact]
    public void A_password_never_appears_in_a_redacted_line()
    {
        Gen.Select(Gen.String[Gen.Char['!', '~'], 1, 30], Gen.Int[0, 5]).Sample((secret, form) =>
        {
            secret = "Z" + secret.Replace(" ", "", StringComparison.Ordinal) + "Z";
            var line = form switch
            {
                0 => $"a LOGIN alice {secret}\r\n",
                1 => $"a AUTHENTICATE PLAIN {secret}\r\n",
                2 => $"PASS {secret}\r\n",
                3 => $"APOP alice {secret}\r\n",
                4 => $"AUTH LOGIN {secret}\r\n",
                _ => $"AUTH PLAIN {secret}\r\n",
            };
            var bytes = Encoding.ASCII.GetBytes(line);
            var redacted = form switch
            {
                < 2 => ProtocolTraceRedactor.RedactImapCommand(bytes),
                < 5 => ProtocolTraceRedactor.RedactPop3Command(bytes),
                _ => ProtocolTraceRedactor.RedactSmtpCommand(bytes),
            };
            redacted.Should().NotBeNull().And.EndWith("<redacted>").And.NotContain(secret);
        }, iter: 5_000);
    }
}
