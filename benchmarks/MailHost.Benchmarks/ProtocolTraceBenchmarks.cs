using System.Text;
using BenchmarkDotNet.Attributes;
using MailHost.Protocols.Text;

namespace MailHost.Benchmarks;

/// <summary>Trace formatting of one command line: one string allocation per call.</summary>
[MemoryDiagnoser]
public class ProtocolTraceBenchmarks
{
    private byte[] _commandLine = [];
    private byte[] _binaryLine = [];
    private byte[] _loginLine = [];

    [GlobalSetup]
    public void Setup()
    {
        _commandLine = Encoding.ASCII.GetBytes("a00042 UID FETCH 1:4096 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO CC)])\r\n");
        if (_commandLine.Length != 100)
        {
            throw new InvalidOperationException($"the command line is {_commandLine.Length} bytes, not 100");
        }

        _binaryLine = ProtocolBenchmarkData.Tls13ClientHello[..100];
        _loginLine = Encoding.ASCII.GetBytes("a0001 LOGIN alice@example.com \"correct horse battery staple\"\r\n");
    }

    [Benchmark(Baseline = true)]
    public string EscapeCommandLine() => ProtocolTraceFormatter.Escape(_commandLine);

    [Benchmark]
    public string EscapeBinary() => ProtocolTraceFormatter.Escape(_binaryLine);

    [Benchmark]
    public string? RedactLogin() => ProtocolTraceRedactor.RedactImapCommand(_loginLine);

    [Benchmark]
    public string? RedactNonSecret() => ProtocolTraceRedactor.RedactImapCommand(_commandLine);
}
