using System.Buffers;
using System.Text;
using CsCheck;
using MailHost.Protocols.Pop3;
using MailHost.Protocols.Tests.Support;

namespace MailHost.Protocols.Tests.Pop3;

public class Pop3CommandParserTests
{
    private static List<object> Run(byte[] input, IEnumerable<int>? cuts = null)
    {
        var parser = new Pop3CommandParser();
        var results = new List<object>();
        var pending = new List<byte>();
        var start = 0;
        foreach (var cut in (cuts ?? []).Append(input.Length))
        {
            pending.AddRange(input.AsSpan(start, cut - start).ToArray());
            start = cut;
            while (true)
            {
                var buffer = new ReadOnlySequence<byte>(pending.ToArray());
                var wasDiscarding = parser.IsDiscardingLongLine;
                var status = parser.TryParseCommand(buffer, out var consumed, out var command, out var error);
                var used = buffer.Slice(0, consumed).Length;
                if (status == Pop3ParseStatus.Incomplete && !wasDiscarding)
                {
                    used.Should().Be(0);
                }

                pending.RemoveRange(0, (int)used);
                if (status == Pop3ParseStatus.Incomplete)
                {
                    break;
                }

                results.Add(status == Pop3ParseStatus.Complete ? command! : error!);
            }
        }

        return results;
    }

    public static TheoryData<string, Pop3Command> ValidLines => new()
    {
        // RFC 1939 §§5-7 examples.
        { "USER mrose", new UserCommand("mrose") },
        { "PASS secret", new PassCommand("secret") },
        { "PASS with spaces ", new PassCommand("with spaces ") },
        // An empty password is a command, not a syntax error: the session refuses it as an empty password.
        { "PASS", new PassCommand("") },
        { "PASS ", new PassCommand("") },
        { "STAT", StatCommand.Instance },
        { "LIST", new ListCommand(null) },
        { "LIST 2", new ListCommand(2) },
        { "RETR 1", new RetrCommand(1) },
        { "DELE 1", new DeleCommand(1) },
        { "NOOP", NoopCommand.Instance },
        { "RSET", RsetCommand.Instance },
        { "QUIT", QuitCommand.Instance },
        { "TOP 1 10", new TopCommand(1, 10) },
        { "TOP 1 0", new TopCommand(1, 0) },
        { "UIDL", new UidlCommand(null) },
        { "UIDL 2", new UidlCommand(2) },
        { "APOP mrose c4c9334bac560ecc979e58001b3e22fb", new ApopCommand("mrose", "c4c9334bac560ecc979e58001b3e22fb") },
        { "CAPA", CapaCommand.Instance },
        { "STLS", StlsCommand.Instance },
        { "UTF8", Utf8Command.Instance },
        { "AUTH", new AuthCommand(null, null) },
        { "AUTH plain", new AuthCommand("PLAIN", null) },
        { "AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=", new AuthCommand("PLAIN", "dGVzdAB0ZXN0AHRlc3Q=") },
        { "list 2147483647", new ListCommand(int.MaxValue) },
        { "stat ", StatCommand.Instance },
        { "USER j\u00fcrgen", new UserCommand("j\u00fcrgen") },
        { "XTND XMIT", new UnknownCommand("XTND") },
        { "GET / HTTP/1.1", new HttpRequestCommand("GET") },
        { "Host: x", new HttpRequestCommand("header") },
    };

    [Theory]
    [MemberData(nameof(ValidLines))]
    public void Valid_lines_parse_whole_one_byte_at_a_time_and_at_every_split(string line, Pop3Command expected)
    {
        byte[] input = [.. Encoding.UTF8.GetBytes(line + "\r\n"), .. "NOOP\r\n"u8];
        Pop3Command[] expectedResults = [expected, NoopCommand.Instance];
        Run(input).Should().Equal(expectedResults);
        Run(input, Enumerable.Range(1, input.Length - 1)).Should().Equal(expectedResults);
        for (var cut = 0; cut <= input.Length; cut++)
        {
            var parser = new Pop3CommandParser();
            var buffer = ByteSequences.Split(input, cut);
            var results = new List<Pop3Command>();
            while (parser.TryParseCommand(buffer, out var consumed, out var command, out _) == Pop3ParseStatus.Complete)
            {
                results.Add(command!);
                buffer = buffer.Slice(consumed);
            }

            results.Should().Equal(expectedResults);
        }
    }

    [Theory]
    [InlineData("USER", "-ERR Syntax error in arguments")]
    [InlineData("USER a b", "-ERR Syntax error in arguments")]
    [InlineData("RETR", "-ERR Syntax error in arguments")]
    [InlineData("RETR 0", "-ERR Invalid message number")]
    [InlineData("RETR x", "-ERR Invalid message number")]
    [InlineData("DELE 2147483648", "-ERR Invalid message number")]
    [InlineData("LIST 99999999999999999999", "-ERR Invalid message number")]
    [InlineData("TOP 1", "-ERR Syntax error in arguments")]
    [InlineData("TOP 1 -1", "-ERR Invalid message number")]
    [InlineData("STAT 1", "-ERR Syntax error, no arguments allowed")]
    [InlineData("QUIT now", "-ERR Syntax error, no arguments allowed")]
    [InlineData("STLS x", "-ERR Syntax error, no arguments allowed")]
    [InlineData("APOP mrose", "-ERR Syntax error in arguments")]
    [InlineData("AUTH PL@IN", "-ERR Syntax error in arguments")]
    [InlineData("USER a\0b", "-ERR Invalid character in command line")]
    [InlineData("USER a\nQUIT", "-ERR Bare CR or LF in command line")]
    public void Error_lines_give_the_exact_response(string line, string response)
    {
        byte[] input = [.. Encoding.UTF8.GetBytes(line), .. "\r\nNOOP\r\n"u8];
        var results = Run(input, Enumerable.Range(1, input.Length - 1));
        results.Should().HaveCount(2);
        results[0].Should().BeOfType<Pop3Response>().Which.ToString().Should().Be(response);
        results[1].Should().Be(NoopCommand.Instance);
    }

    [Fact]
    public void Command_lines_are_limited_to_255_octets_but_auth_lines_are_not()
    {
        var ok = Encoding.ASCII.GetBytes("USER " + new string('u', 248) + "\r\n");
        ok.Length.Should().Be(255);
        Run(ok).Single().Should().BeOfType<UserCommand>();
        Run(Encoding.ASCII.GetBytes("USER " + new string('u', 249) + "\r\nQUIT\r\n")).Should().Equal(Pop3Responses.LineTooLong, QuitCommand.Instance);
        Run([.. Enumerable.Repeat((byte)'A', 10_000), .. "\r\nQUIT\r\n"u8], [100, 300, 5000]).Should().Equal(Pop3Responses.LineTooLong, QuitCommand.Instance);

        string response = new('A', 12288);
        ((AuthCommand)Run(Encoding.ASCII.GetBytes("AUTH PLAIN " + response + "\r\n")).Single()).InitialResponse.Should().Be(response);
        Run(Encoding.ASCII.GetBytes("AUTH PLAIN " + response + "A\r\n")).Single().Should().Be(Pop3Responses.AuthLineTooLong);

        var parser = new Pop3CommandParser();
        parser.TryParseAuthResponse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(response + "\r\n")), out _, out var text, out _)
            .Should().Be(Pop3ParseStatus.Complete);
        text.Should().Be(response);
        parser.TryParseAuthResponse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(response + "A\r\n")), out _, out _, out var error)
            .Should().Be(Pop3ParseStatus.Error);
        error.Should().Be(Pop3Responses.AuthLineTooLong);
    }

    [Fact]
    public void Responses_are_written_exactly()
    {
        var output = new ArrayBufferWriter<byte>();
        Pop3Response.Ok("2 320").WriteTo(output);
        Pop3Response.Err("maildrop locked", Pop3ResponseCode.InUse).WriteTo(output);
        Pop3Response.Err("try later", Pop3ResponseCode.SysTemp).WriteTo(output);
        Pop3Response.Err("bad credentials", Pop3ResponseCode.Auth).WriteTo(output);
        Pop3ResponseWriter.WriteCapabilities(output, ["TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "SASL PLAIN", "STLS", "UTF8"]);
        Pop3Response.Ok("2 messages").WriteTo(output);
        Pop3ResponseWriter.WriteListLine(output, 1, 120);
        Pop3ResponseWriter.WriteUidlLine(output, 2, "QhdPYR:00WBw1Ph7x7");
        Pop3ResponseWriter.WriteEnd(output);
        Encoding.ASCII.GetString(output.WrittenSpan).Should().Be(
            "+OK 2 320\r\n-ERR [IN-USE] maildrop locked\r\n-ERR [SYS/TEMP] try later\r\n-ERR [AUTH] bad credentials\r\n" +
            "+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nSASL PLAIN\r\nSTLS\r\nUTF8\r\n.\r\n" +
            "+OK 2 messages\r\n1 120\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n");
        Pop3Response.Err("x", Pop3ResponseCode.LoginDelay).ToString().Should().Be("-ERR [LOGIN-DELAY] x");
        Pop3Response.Err("x", Pop3ResponseCode.SysPerm).ToString().Should().Be("-ERR [SYS/PERM] x");
        FluentActions.Invoking(() => Pop3ResponseWriter.WriteLine(output, ".hidden")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => Pop3ResponseWriter.WriteUidlLine(output, 1, "has space")).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Parser_never_throws_and_agrees_with_itself_on_any_split() =>
        Gen.Select(
                Gen.OneOf(Gen.Byte.Array[0, 80], Gen.Char["USERPASLITOPRDAUTHQ 0123456789\r\n\0\u00e9"].Array[0, 80].Select(Encoding.UTF8.GetBytes)).Array[1, 4],
                Gen.Int.Array[0, 3])
            .Sample((parts, offsets) =>
            {
                var input = parts.SelectMany(p => p).ToArray();
                var cuts = offsets.Select(o => Math.Abs(o % (input.Length + 1))).Order().ToArray();
                Run(input, cuts).Should().Equal(Run(input));
            }, iter: 20_000);
}
