using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using MailHost.Protocols.Smtp;
using MailHost.Protocols.Text;

namespace MailHost.Benchmarks;

/// <summary>SMTP hot paths: MAIL/RCPT parsing (target: only the command record and its strings) and DATA unstuffing.</summary>
[MemoryDiagnoser]
public class SmtpBenchmarks
{
    private readonly SmtpCommandParser _parser = new();
    private readonly ReadOnlySequence<byte> _mail = new("MAIL FROM:<alice@example.com> SIZE=4096 BODY=8BITMIME\r\n"u8.ToArray());
    private readonly ReadOnlySequence<byte> _rcpt = new("RCPT TO:<bob@example.org>\r\n"u8.ToArray());
    private readonly byte[] _body = BuildBody();
    private readonly ArrayBufferWriter<byte> _output = new(8192);

    [Benchmark]
    public SmtpCommand? ParseMailFrom()
    {
        _parser.TryParseCommand(_mail, out _, out var command, out _);
        return command;
    }

    [Benchmark]
    public SmtpCommand? ParseRcptTo()
    {
        _parser.TryParseCommand(_rcpt, out _, out var command, out _);
        return command;
    }

    [Benchmark]
    public long Unstuff4KiB()
    {
        _output.ResetWrittenCount();
        var unstuffer = new DotUnstuffer();
        unstuffer.Unstuff(_body, _output, out _);
        return unstuffer.MessageLength;
    }

    private static byte[] BuildBody()
    {
        var text = new StringBuilder("From: alice@example.com\r\nTo: bob@example.org\r\nSubject: benchmark\r\n\r\n");
        while (text.Length < 4096 - 80)
        {
            text.Append(text.Length % 5 == 0 ? "..a line that was dot-stuffed by the client\r\n" : "an ordinary line of message text, about seventy characters long.\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append(".\r\n").ToString());
    }
}
