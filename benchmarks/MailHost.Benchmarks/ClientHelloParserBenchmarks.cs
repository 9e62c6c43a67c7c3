using System.Buffers;
using BenchmarkDotNet.Attributes;
using MailHost.Protocols.Tls;

namespace MailHost.Benchmarks;

/// <summary>Parsing SNI and ALPN from a real ClientHello: in place, and reassembled from fragments.</summary>
[MemoryDiagnoser]
public class ClientHelloParserBenchmarks
{
    private ReadOnlySequence<byte> _single;
    private ReadOnlySequence<byte> _segmented;
    private ReadOnlySequence<byte> _fragmentedRecords;

    [GlobalSetup]
    public void Setup()
    {
        var hello = ProtocolBenchmarkData.Tls13ClientHello;
        _single = new ReadOnlySequence<byte>(hello);
        _segmented = ProtocolBenchmarkData.Segmented(hello, 64);

        // The same handshake message re-framed into 100-byte records.
        var message = hello[5..];
        var records = message.Chunk(100)
            .SelectMany(chunk => (byte[])[0x16, 0x03, 0x01, (byte)(chunk.Length >> 8), (byte)chunk.Length, .. chunk])
            .ToArray();
        _fragmentedRecords = new ReadOnlySequence<byte>(records);
    }

    [Benchmark(Baseline = true)]
    public TlsClientHelloInfo? SingleRecordContiguous()
    {
        TlsClientHelloParser.TryParse(_single, out var info);
        return info;
    }

    [Benchmark]
    public TlsClientHelloInfo? SingleRecordSegmented()
    {
        TlsClientHelloParser.TryParse(_segmented, out var info);
        return info;
    }

    [Benchmark]
    public TlsClientHelloInfo? SeveralRecords()
    {
        TlsClientHelloParser.TryParse(_fragmentedRecords, out var info);
        return info;
    }
}
