using System.Buffers;
using BenchmarkDotNet.Attributes;
using MailHost.Protocols.Tls;

namespace MailHost.Benchmarks;

/// <summary>The first-bytes TLS check every Auto-mode connection pays; it must allocate nothing.</summary>
[MemoryDiagnoser]
public class TlsSnifferBenchmarks
{
    private ReadOnlySequence<byte> _single;
    private ReadOnlySequence<byte> _multi;

    [GlobalSetup]
    public void Setup()
    {
        _single = new ReadOnlySequence<byte>(ProtocolBenchmarkData.Tls13ClientHello);
        _multi = ProtocolBenchmarkData.Segmented(ProtocolBenchmarkData.Tls13ClientHello, 2);
    }

    [Benchmark(Baseline = true)]
    public TlsSniffResult SingleSegment() => TlsClientHelloSniffer.Classify(_single);

    [Benchmark]
    public TlsSniffResult MultiSegment() => TlsClientHelloSniffer.Classify(_multi);
}
