using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using MailHost.Protocols.Pop3;
using MailHost.Protocols.Text;

namespace MailHost.Benchmarks;

/// <summary>POP3 hot paths: command parsing and dot-stuffing a 4 KiB stored message for RETR.</summary>
[MemoryDiagnoser]
public class Pop3Benchmarks
{
    private readonly Pop3CommandParser _parser = new();
    private readonly ReadOnlySequence<byte> _retr = new("RETR 42\r\n"u8.ToArray());
    private readonly byte[] _stored = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(".a line of stored text that starts with a dot\r\n", 90)));
    private readonly ArrayBufferWriter<byte> _output = new(8192);

    [Benchmark]
    public Pop3Command? ParseRetr()
    {
        _parser.TryParseCommand(_retr, out _, out var command, out _);
        return command;
    }

    [Benchmark]
    public int Stuff4KiB()
    {
        _output.ResetWrittenCount();
        var stuffer = new DotStuffer();
        stuffer.Write(_stored, _output);
        stuffer.Complete(_output);
        return _output.WrittenCount;
    }
}
