using System.Net;
using System.Text;
using CsCheck;
using MailHost.Protocols.Smtp;

namespace MailHost.Protocols.Tests.Smtp;

public class SmtpCommandParserTests
{
    private static SmtpPath Path(string local, string domain, params string[] route) => new(new SmtpMailbox(local, domain), route);

    public static TheoryData<string, SmtpCommand> ValidLines => new()
    {
        // RFC 5321 Appendix D.1 scenario.
        { "EHLO bar.com", new EhloCommand("bar.com", SmtpIdentityKind.Domain) },
        { "MAIL FROM:<Smith@bar.com>", new MailCommand(Path("Smith", "bar.com")) },
        { "RCPT TO:<Jones@foo.com>", new RcptCommand(Path("Jones", "foo.com")) },
        { "DATA", DataCommand.Instance },
        { "QUIT", QuitCommand.Instance },
        // RFC 5321 §4.1.1.3 source route, accepted and dropped but reported.
        { "RCPT TO:<@hosta.int,@jkl.org:userc@d.bar.org>", new RcptCommand(Path("userc", "d.bar.org", "hosta.int", "jkl.org")) },
        { "ehlo [192.0.2.1]", new EhloCommand("[192.0.2.1]", SmtpIdentityKind.AddressLiteral) },
        { "EHLO DESKTOP-1_A", new EhloCommand("DESKTOP-1_A", SmtpIdentityKind.Other) },
        { "HELO relay.example.org", new HeloCommand("relay.example.org", SmtpIdentityKind.Domain) },
        { "MAIL FROM:<>", new MailCommand(SmtpPath.Null) },
        { "mail from:<a@b.example>", new MailCommand(Path("a", "b.example")) },
        // Leniency: a space after the colon (old Outlook Express, many scripts).
        { "MAIL FROM: <a@b.example>", new MailCommand(Path("a", "b.example")) },
        { "RCPT TO: <a@b.example>", new RcptCommand(Path("a", "b.example")) },
        { "MAIL FROM:<a@b.example>   ", new MailCommand(Path("a", "b.example")) },
        {
            "MAIL FROM:<a@b.example> SIZE=1000 BODY=8BITMIME RET=HDRS ENVID=QQ314159+2B AUTH=e+3Dmc2@example.com",
            new MailCommand(Path("a", "b.example")) { Size = 1000, Body = SmtpBodyType.EightBitMime, Return = SmtpDsnReturn.Headers, EnvelopeId = "QQ314159+", AuthMailbox = "e=mc2@example.com" }
        },
        { "MAIL FROM:<a@b.example> body=binarymime  size=0", new MailCommand(Path("a", "b.example")) { Size = 0, Body = SmtpBodyType.BinaryMime } },
        { "MAIL FROM:<a@b.example> BODY=7BIT AUTH=<>", new MailCommand(Path("a", "b.example")) { Body = SmtpBodyType.SevenBit, AuthMailbox = "<>" } },
        { "MAIL FROM:<a@b.example> SIZE=9223372036854775807", new MailCommand(Path("a", "b.example")) { Size = long.MaxValue } },
        { "MAIL FROM:<\u00fc@ex\u00e4mple.com> SMTPUTF8", new MailCommand(Path("\u00fc", "ex\u00e4mple.com")) { SmtpUtf8 = true } },
        { "RCPT TO:<Postmaster>", new RcptCommand(Path("Postmaster", "")) },
        { "RCPT TO:<postmaster@example.com>", new RcptCommand(Path("postmaster", "example.com")) },
        {
            "RCPT TO:<bob@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob+2Bx@example.com",
            new RcptCommand(Path("bob", "example.com")) { Notify = SmtpDsnNotify.Success | SmtpDsnNotify.Failure, OriginalRecipient = new SmtpOriginalRecipient("rfc822", "bob+x@example.com") }
        },
        { "RCPT TO:<bob@example.com> NOTIFY=NEVER", new RcptCommand(Path("bob", "example.com")) { Notify = SmtpDsnNotify.Never } },
        { "RCPT TO:<\"a b\"@example.com>", new RcptCommand(new SmtpPath(new SmtpMailbox("a b", "example.com") { IsQuotedLocalPart = true }, [])) },
        { "RSET", RsetCommand.Instance },
        { "NOOP", NoopCommand.Instance },
        { "NOOP anything at all", NoopCommand.Instance },
        { "HELP", new HelpCommand(null) },
        { "HELP MAIL", new HelpCommand("MAIL") },
        { "VRFY Smith", new VrfyCommand("Smith") },
        { "EXPN staff", new ExpnCommand("staff") },
        { "STARTTLS", StartTlsCommand.Instance },
        { "starttls", StartTlsCommand.Instance },
        { "AUTH PLAIN", new AuthCommand("PLAIN", null) },
        { "auth plain dGVzdAB0ZXN0AHRlc3Q=", new AuthCommand("PLAIN", "dGVzdAB0ZXN0AHRlc3Q=") },
        { "AUTH SCRAM-SHA-256 =", new AuthCommand("SCRAM-SHA-256", "=") },
        { "BDAT 1000", new BdatCommand(1000, false) },
        { "BDAT 0 LAST", new BdatCommand(0, true) },
        { "bdat 42 last", new BdatCommand(42, true) },
        { "XYZZY", new UnknownCommand("XYZZY") },
        { "X-\u00e9 1", new UnknownCommand("") },
        // SECURITY A6 (ALPACA): HTTP-looking lines are recognisable.
        { "GET / HTTP/1.1", new HttpRequestCommand("GET") },
        { "POST /form HTTP/1.1", new HttpRequestCommand("POST") },
        { "CONNECT mail.example:443 HTTP/1.1", new HttpRequestCommand("CONNECT") },
        { "Host: victim.example", new HttpRequestCommand("header") },
        { "User-Agent: Mozilla/5.0", new HttpRequestCommand("header") },
    };

    [Theory]
    [MemberData(nameof(ValidLines))]
    public void Valid_lines_parse_whole_one_byte_at_a_time_and_at_every_split(string line, SmtpCommand expected)
    {
        byte[] input = [.. Encoding.UTF8.GetBytes(line + "\r\n"), .. "NOOP\r\n"u8];
        SmtpCommand[] expectedResults = [expected, NoopCommand.Instance];
        SmtpDriver.Run(input).Should().Equal(expectedResults);
        SmtpDriver.Run(input, Enumerable.Range(1, input.Length - 1)).Should().Equal(expectedResults);
        for (var cut = 0; cut <= input.Length; cut++)
        {
            SmtpDriver.RunSplit(input, cut).Should().Equal(expectedResults);
        }
    }

    public static TheoryData<string, string> ErrorLines => new()
    {
        { "EHLO", "501 5.5.4 Syntax: EHLO hostname" },
        { "HELO a b", "501 5.5.4 Syntax: HELO hostname" },
        { "MAIL TO:<a@b.example>", "501 5.5.4 Syntax: MAIL FROM:<address>" },
        { "MAIL FROM:", "501 5.5.4 Syntax: MAIL FROM:<address>" },
        { "MAIL", "501 5.5.4 Syntax: MAIL FROM:<address>" },
        { "RCPT FROM:<a@b.example>", "501 5.5.4 Syntax: RCPT TO:<address>" },
        { "MAIL FROM:a@b.example", "501 5.1.7 Bad sender address syntax" },
        { "MAIL FROM:<a@b.example", "501 5.1.7 Bad sender address syntax" },
        { "MAIL FROM:<a@b.example>x", "501 5.1.7 Bad sender address syntax" },
        { "MAIL FROM:<a..b@b.example>", "501 5.1.7 Bad sender address syntax" },
        { "MAIL FROM:<a@-b.example>", "501 5.1.7 Bad sender address syntax" },
        { "MAIL FROM:<a@b_c.example>", "501 5.1.7 Bad sender address syntax" },
        { "RCPT TO:<>", "501 5.1.3 Bad recipient address syntax" },
        { "RCPT TO:<a>", "501 5.1.3 Bad recipient address syntax" },
        { "RCPT TO:<\"a@b.example>", "501 5.1.3 Bad recipient address syntax" },
        { "RCPT TO:<a@[192.0.2.256]>", "501 5.1.3 Bad recipient address syntax" },
        { "RCPT TO:<a@[IPv6:fe80::1%eth0]>", "501 5.1.3 Bad recipient address syntax" },
        { "RCPT TO:<a@" + new string('x', 64) + ".example>", "501 5.1.3 Bad recipient address syntax" },
        // SECURITY T26 / B4: numbers past 64 bits are 552, malformed ones 501; never an exception.
        { "MAIL FROM:<a@b.example> SIZE=99999999999999999999", "552 5.3.4 Message size exceeds fixed maximum message size" },
        { "MAIL FROM:<a@b.example> SIZE=999999999999999999999", "501 5.5.4 Invalid parameter value" },
        { "MAIL FROM:<a@b.example> SIZE=-1", "501 5.5.4 Invalid parameter value" },
        { "MAIL FROM:<a@b.example> SIZE", "501 5.5.4 Invalid parameter value" },
        { "MAIL FROM:<a@b.example> SIZE=", "501 5.5.4 Invalid parameter value" },
        { "MAIL FROM:<a@b.example> FOO=bar", "555 5.5.4 MAIL FROM/RCPT TO parameters not recognized or not implemented" },
        { "RCPT TO:<a@b.example> SIZE=10", "555 5.5.4 MAIL FROM/RCPT TO parameters not recognized or not implemented" },
        { "MAIL FROM:<a@b.example> SIZE=1 SIZE=2", "501 5.5.4 Duplicate parameter" },
        { "MAIL FROM:<a@b.example> BODY=9BIT", "501 5.5.4 Invalid parameter value" },
        { "MAIL FROM:<a@b.example> SMTPUTF8=yes", "501 5.5.4 Invalid parameter value" },
        { "MAIL FROM:<a@b.example> RET=ALL", "501 5.5.4 Invalid parameter value" },
        { "MAIL FROM:<a@b.example> ENVID=a+2", "501 5.5.4 Invalid parameter value" },
        { "MAIL FROM:<a@b.example> ENVID=a+2b", "501 5.5.4 Invalid parameter value" },
        { "MAIL FROM:<a@b.example> ENVID=" + new string('e', 101), "501 5.5.4 Invalid parameter value" },
        { "MAIL FROM:<a@b.example> -X=1", "501 5.5.4 Invalid parameter value" },
        { "RCPT TO:<a@b.example> NOTIFY=NEVER,SUCCESS", "501 5.5.4 Invalid parameter value" },
        { "RCPT TO:<a@b.example> NOTIFY=SUCCESS,SUCCESS", "501 5.5.4 Invalid parameter value" },
        { "RCPT TO:<a@b.example> NOTIFY=", "501 5.5.4 Invalid parameter value" },
        { "RCPT TO:<a@b.example> ORCPT=rfc822", "501 5.5.4 Invalid parameter value" },
        { "RCPT TO:<a@b.example> ORCPT=;a@b", "501 5.5.4 Invalid parameter value" },
        // RFC 6531: UTF-8 addresses need SMTPUTF8.
        { "MAIL FROM:<\u00fc@example.com>", "553 5.6.7 Non-ASCII address requires SMTPUTF8" },
        { "RCPT TO:<\u00fc@example.com>", "553 5.6.7 Non-ASCII address requires SMTPUTF8" },
        { "BDAT 18446744073709551616", "552 5.3.4 Message size exceeds fixed maximum message size" },
        { "BDAT 18446744073709551616 LAST", "552 5.3.4 Message size exceeds fixed maximum message size" },
        { "BDAT -1", "501 5.5.4 Syntax: BDAT size [LAST]" },
        { "BDAT", "501 5.5.4 Syntax: BDAT size [LAST]" },
        { "BDAT 10 NOTLAST", "501 5.5.4 Syntax: BDAT size [LAST]" },
        { "BDAT 1x", "501 5.5.4 Syntax: BDAT size [LAST]" },
        { "DATA x", "501 5.5.4 Syntax error, no parameters allowed" },
        { "RSET now", "501 5.5.4 Syntax error, no parameters allowed" },
        { "QUIT x", "501 5.5.4 Syntax error, no parameters allowed" },
        { "STARTTLS x", "501 5.5.4 Syntax error, no parameters allowed" },
        { "VRFY", "501 5.5.4 Syntax error, argument required" },
        { "EXPN", "501 5.5.4 Syntax error, argument required" },
        { "AUTH", "501 5.5.4 Syntax: AUTH mechanism [initial-response]" },
        { "AUTH PL@IN", "501 5.5.4 Syntax: AUTH mechanism [initial-response]" },
        { "AUTH PLAIN a b", "501 5.5.4 Syntax: AUTH mechanism [initial-response]" },
        { "AUTH ABCDEFGHIJKLMNOPQRSTU", "501 5.5.4 Syntax: AUTH mechanism [initial-response]" },
        { "EHLO a\0b", "500 5.5.2 Invalid character in command line" },
        { "EHLO a\tb", "500 5.5.2 Invalid character in command line" },
        { "EHLO \u00ff", "500 5.5.2 Invalid character in command line" },
        { "EHLO a\rb", "500 5.5.2 Bare CR or LF in command line" },
        { "NOOP\r", "500 5.5.2 Bare CR or LF in command line" },
    };

    [Theory]
    [MemberData(nameof(ErrorLines))]
    public void Error_lines_give_the_exact_reply_and_parsing_goes_on(string line, string reply)
    {
        // "\u00ff" stands for a lone 0xFF byte, which is not UTF-8.
        var bytes = line == "EHLO \u00ff" ? [.. "EHLO \xff"u8.ToArray().Take(5), 0xFF] : Encoding.UTF8.GetBytes(line);
        byte[] input = [.. bytes, .. "\r\nNOOP\r\n"u8];
        foreach (var cuts in new[] { [], Enumerable.Range(1, input.Length - 1) })
        {
            var results = SmtpDriver.Run(input, cuts);
            results.Should().HaveCount(2);
            results[0].Should().BeOfType<SmtpReply>().Which.ToString().Should().Be(reply);
            results[1].Should().Be(NoopCommand.Instance);
        }
    }

    [Fact]
    public void Bare_LF_inside_a_command_line_never_yields_two_commands()
    {
        // SECURITY B2: "EHLO a\nMAIL FROM:<x>\r\n" is one bad line.
        var input = "EHLO a\nMAIL FROM:<x@y.example>\r\nQUIT\r\n"u8.ToArray();
        var results = SmtpDriver.Run(input, Enumerable.Range(1, input.Length - 1));
        results.Should().HaveCount(2);
        results[0].Should().Be(SmtpReplies.BareLineEnding);
        results[1].Should().Be(QuitCommand.Instance);
    }

    [Fact]
    public void Lines_ending_in_bare_LF_wait_for_CRLF()
    {
        SmtpDriver.Run("EHLO a\nNOOP\n"u8.ToArray()).Should().BeEmpty();
    }

    public static TheoryData<string, string?, string, bool, string?> OpenRelayForms => new()
    {
        // SECURITY E1: (address, local part, domain, routing characters, source route)
        { "<v%external.example@our.dom>", "v%external.example", "our.dom", true, null },
        { "<@our.dom:v@external.example>", "v", "external.example", false, "our.dom" },
        { "<@a.example,@b.example:v@external.example>", "v", "external.example", false, "a.example,b.example" },
        { "<\"v@external.example\"@our.dom>", "v@external.example", "our.dom", true, null },
        { "<v@[192.0.2.1]>", "v", "[192.0.2.1]", false, null },
        // Snum is decimal: leading zeros are not octal (this once threw inside IPAddress.Parse).
        { "<v@[010.0.0.08]>", "v", "[010.0.0.08]", false, null },
        { "<v!external.example@our.dom>", "v!external.example", "our.dom", true, null },
        { "<v@external.example.>", "v", "external.example", false, null },
        { "<v@external..example>", null, "", false, null },
        { "<v@external.example..>", null, "", false, null },
    };

    [Theory]
    [MemberData(nameof(OpenRelayForms))]
    public void Open_relay_address_forms_are_parsed_exactly(string address, string? localPart, string domain, bool routing, string? route)
    {
        var results = SmtpDriver.Run(Encoding.ASCII.GetBytes("RCPT TO:" + address + "\r\n"));
        results.Should().ContainSingle();
        if (localPart is null)
        {
            results[0].Should().Be(SmtpReplies.BadRecipientAddress);
            return;
        }

        var path = results[0].Should().BeOfType<RcptCommand>().Which.ForwardPath;
        path.Mailbox!.LocalPart.Should().Be(localPart);
        path.Mailbox.Domain.Should().Be(domain);
        path.Mailbox.HasRoutingCharacters.Should().Be(routing);
        path.HadSourceRoute.Should().Be(route is not null);
        string.Join(',', path.SourceRoute).Should().Be(route ?? "");
    }

    [Fact]
    public void Address_literals_carry_their_address()
    {
        var v4 = (RcptCommand)SmtpDriver.Run("RCPT TO:<v@[192.0.2.1]>\r\n"u8.ToArray()).Single();
        v4.ForwardPath.Mailbox!.AddressLiteral.Should().Be(new SmtpAddressLiteral(SmtpAddressLiteralKind.IPv4, "[192.0.2.1]", IPAddress.Parse("192.0.2.1")));

        var v6 = (RcptCommand)SmtpDriver.Run("RCPT TO:<v@[IPv6:2001:db8::1]>\r\n"u8.ToArray()).Single();
        v6.ForwardPath.Mailbox!.AddressLiteral!.Kind.Should().Be(SmtpAddressLiteralKind.IPv6);
        v6.ForwardPath.Mailbox.AddressLiteral.Address.Should().Be(IPAddress.Parse("2001:db8::1"));

        var general = (RcptCommand)SmtpDriver.Run("RCPT TO:<v@[x-tag:stuff]>\r\n"u8.ToArray()).Single();
        general.ForwardPath.Mailbox!.AddressLiteral!.Kind.Should().Be(SmtpAddressLiteralKind.General);
        general.ForwardPath.Mailbox.AddressLiteral.Address.Should().BeNull();
    }

    [Fact]
    public void Utf8_recipients_are_accepted_in_an_utf8_transaction_only()
    {
        var input = Encoding.UTF8.GetBytes("RCPT TO:<\u00fc@\u00e4.example>\r\n");
        SmtpDriver.Run(input).Single().Should().Be(SmtpReplies.Utf8AddressNeedsSmtpUtf8);
        var rcpt = (RcptCommand)SmtpDriver.Run(input, utf8Transaction: true).Single();
        rcpt.ForwardPath.Mailbox!.IsAscii.Should().BeFalse();
        rcpt.ForwardPath.Mailbox.LocalPart.Should().Be("\u00fc");

        var noUtf8 = new SmtpParserOptions { Extensions = SmtpExtensions.All & ~SmtpExtensions.SmtpUtf8 };
        SmtpDriver.Run(Encoding.UTF8.GetBytes("MAIL FROM:<\u00fc@example.com> SMTPUTF8\r\n"), options: noUtf8).Single()
            .Should().Be(SmtpReplies.BadSenderAddress);
    }

    [Fact]
    public void Parameters_of_extensions_not_offered_are_refused()
    {
        var options = new SmtpParserOptions { Extensions = SmtpExtensions.Pipelining };
        foreach (var parameter in new[] { "SIZE=1", "BODY=8BITMIME", "BODY=7BIT", "SMTPUTF8", "RET=FULL", "ENVID=x", "AUTH=<>" })
        {
            SmtpDriver.Run(Encoding.ASCII.GetBytes("MAIL FROM:<a@b.example> " + parameter + "\r\n"), options: options).Single()
                .Should().Be(SmtpReplies.ParameterNotRecognized, parameter);
        }

        SmtpDriver.Run("RCPT TO:<a@b.example> NOTIFY=NEVER\r\n"u8.ToArray(), options: options).Single().Should().Be(SmtpReplies.ParameterNotRecognized);
    }

    [Fact]
    public void Size_and_bdat_above_the_fixed_maximum_get_552()
    {
        var options = new SmtpParserOptions { MaxMessageSize = 1000 };
        SmtpDriver.Run("MAIL FROM:<a@b.example> SIZE=1000\r\nMAIL FROM:<a@b.example> SIZE=1001\r\nBDAT 1000\r\nBDAT 1001 LAST\r\n"u8.ToArray(), options: options)
            .Should().Equal(
                new MailCommand(Path("a", "b.example")) { Size = 1000 },
                SmtpReplies.MessageTooBig,
                new BdatCommand(1000, false),
                SmtpReplies.MessageTooBig);
    }

    [Fact]
    public void Command_line_limit_is_512_octets_with_CRLF()
    {
        var ok = Encoding.ASCII.GetBytes("NOOP " + new string('x', 505) + "\r\n");
        ok.Length.Should().Be(512);
        SmtpDriver.Run(ok).Should().Equal(NoopCommand.Instance);
        var tooLong = Encoding.ASCII.GetBytes("NOOP " + new string('x', 506) + "\r\nQUIT\r\n");
        SmtpDriver.Run(tooLong).Should().Equal(SmtpReplies.LineTooLong, QuitCommand.Instance);
        SmtpDriver.Run(tooLong, Enumerable.Range(1, tooLong.Length - 1)).Should().Equal(SmtpReplies.LineTooLong, QuitCommand.Instance);
    }

    [Fact]
    public void Mail_and_rcpt_lines_may_be_2048_octets()
    {
        static string Mail(int length)
        {
            var head = "MAIL FROM:<a@b.example> ENVID=x AUTH=";
            return head + new string('y', length - head.Length - 2) + "\r\n";
        }

        SmtpDriver.Run(Encoding.ASCII.GetBytes(Mail(2048))).Single().Should().BeOfType<MailCommand>();
        SmtpDriver.Run(Encoding.ASCII.GetBytes(Mail(2049))).Single().Should().Be(SmtpReplies.LineTooLong);
    }

    [Fact]
    public void Auth_initial_response_may_be_12288_octets()
    {
        string response = new('A', 12288);
        var auth = (AuthCommand)SmtpDriver.Run(Encoding.ASCII.GetBytes("AUTH PLAIN " + response + "\r\n")).Single();
        auth.InitialResponse.Should().Be(response);
        SmtpDriver.Run(Encoding.ASCII.GetBytes("AUTH PLAIN " + response + "A\r\n")).Single().Should().Be(SmtpReplies.AuthLineTooLong);
        SmtpReplies.AuthLineTooLong.ToString().Should().Be("500 5.5.6 Authentication Exchange line is too long");
    }

    [Fact]
    public void Auth_response_lines_may_be_12288_octets()
    {
        var parser = new SmtpCommandParser();
        string response = new('Q', 12288);
        var buffer = new System.Buffers.ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(response + "\r\n"));
        parser.TryParseAuthResponse(buffer, out _, out var text, out _).Should().Be(SmtpParseStatus.Complete);
        text.Should().Be(response);

        buffer = new System.Buffers.ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(response + "Q\r\n"));
        parser.TryParseAuthResponse(buffer, out _, out _, out var error).Should().Be(SmtpParseStatus.Error);
        error.Should().Be(SmtpReplies.AuthLineTooLong);

        buffer = new System.Buffers.ReadOnlySequence<byte>("*\r\n"u8.ToArray());
        parser.TryParseAuthResponse(buffer, out _, out text, out _).Should().Be(SmtpParseStatus.Complete);
        text.Should().Be("*");

        buffer = new System.Buffers.ReadOnlySequence<byte>("ab"u8.ToArray());
        parser.TryParseAuthResponse(buffer, out var consumed, out _, out _).Should().Be(SmtpParseStatus.Incomplete);
        consumed.Should().Be(buffer.Start);
    }

    [Fact]
    public void A_megabyte_without_CRLF_is_refused_once_without_buffering_it()
    {
        // SECURITY C1/T09: the error comes as soon as the limit passes; the rest of the line is discarded.
        var parser = new SmtpCommandParser();
        var chunk = new System.Buffers.ReadOnlySequence<byte>(Enumerable.Repeat((byte)'A', 600).ToArray());
        parser.TryParseCommand(chunk, out var consumed, out _, out var error).Should().Be(SmtpParseStatus.Error);
        error.Should().Be(SmtpReplies.LineTooLong);
        consumed.Should().Be(chunk.End);
        for (var i = 0; i < 2000; i++)
        {
            var more = new System.Buffers.ReadOnlySequence<byte>(Enumerable.Repeat((byte)'A', 500).ToArray());
            parser.TryParseCommand(more, out consumed, out _, out _).Should().Be(SmtpParseStatus.Incomplete);
            consumed.Should().Be(more.End);
        }

        var end = new System.Buffers.ReadOnlySequence<byte>("AAA\r\nQUIT\r\n"u8.ToArray());
        parser.TryParseCommand(end, out consumed, out var command, out _).Should().Be(SmtpParseStatus.Complete);
        command.Should().Be(QuitCommand.Instance);
        consumed.Should().Be(end.End);
        parser.IsDiscardingLongLine.Should().BeFalse();
    }

    [Fact]
    public void Multi_line_and_single_line_replies_are_written_exactly()
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        SmtpReplies.MessageTooBig.WriteTo(output);
        SmtpReplies.MessageTooBig.WriteTo(output, includeEnhancedStatusCode: false);
        SmtpReplyWriter.WriteMultiline(output, 214, "2.0.0", ["Commands:", "HELO EHLO"]);
        SmtpReplyWriter.WriteEhlo(output, "mx.example", "hello", SmtpExtensions.Pipelining | SmtpExtensions.Size | SmtpExtensions.Auth, 1000, ["PLAIN", "LOGIN"]);
        Encoding.ASCII.GetString(output.WrittenSpan).Should().Be(
            "552 5.3.4 Message size exceeds fixed maximum message size\r\n" +
            "552 Message size exceeds fixed maximum message size\r\n" +
            "214-2.0.0 Commands:\r\n214 2.0.0 HELO EHLO\r\n" +
            "250-mx.example hello\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 AUTH PLAIN LOGIN\r\n");
        FluentActions.Invoking(() => new SmtpReply(550, "4.1.1", "x")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new SmtpReply(550, "5.1.1", "x\r\n250 ok")).Should().Throw<ArgumentException>();
        SmtpReplies.ForDataError(MailHost.Protocols.Text.DotUnstuffError.BareLineEnding)!.ToString()
            .Should().Be("550 5.6.11 Bare CR or LF in message text is not allowed");
    }

    [Fact]
    public void Grammar_helpers_round_trip()
    {
        SmtpGrammar.TryDecodeXtext(Encoding.ASCII.GetBytes(SmtpGrammar.EncodeXtext("a+b=c d")), out var decoded).Should().BeTrue();
        decoded.Should().Be("a+b=c d");
        SmtpGrammar.TryParseMailbox("\"a b\"@example.com"u8, allowUtf8: false, out var mailbox).Should().BeTrue();
        mailbox!.ToString().Should().Be("\"a b\"@example.com");
        SmtpGrammar.TryParseMailbox("a@example.com extra"u8, allowUtf8: false, out _).Should().BeFalse();
        SmtpGrammar.TryParseReversePath("<>"u8, allowUtf8: false, out var path).Should().BeTrue();
        path!.IsNull.Should().BeTrue();
    }

    private static readonly Gen<byte[]> Lines = Gen.OneOf(
        Gen.Byte.Array[0, 80],
        Gen.Char["MAILFROMRCPTTO:<>@.[]\"\\ =,;+-0123456789abBDATLSIZE\r\n\0\u00e9"].Array[0, 80].Select(Encoding.UTF8.GetBytes),
        Gen.Select(Gen.OneOf(ValidLines.Select(row => Gen.Const((string)row[0])).ToArray()), Gen.Int[0, 60], Gen.Byte)
            .Select((line, at, b) =>
            {
                var bytes = Encoding.UTF8.GetBytes(line + "\r\n");
                bytes[at % bytes.Length] = b;
                return bytes;
            }));

    [Fact]
    public void Parser_never_throws_and_agrees_with_itself_on_any_split() =>
        Gen.Select(Lines.Array[1, 4], Gen.Int.Array[0, 3], Gen.Bool).Sample((parts, offsets, utf8) =>
        {
            var input = parts.SelectMany(p => p).ToArray();
            var cuts = offsets.Select(o => Math.Abs(o % (input.Length + 1))).Order().ToArray();
            var whole = SmtpDriver.Run(input, utf8Transaction: utf8);
            var pieces = SmtpDriver.Run(input, cuts, utf8Transaction: utf8);
            pieces.Should().Equal(whole);
        }, iter: 20_000);
}
