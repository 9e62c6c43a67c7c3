using System.Text;
using BenchmarkDotNet.Attributes;
using MailHost.Protocols.Sasl;

namespace MailHost.Benchmarks;

/// <summary>The per-attempt SASL work before any credential check: base64 decoding and mechanism steps.</summary>
[MemoryDiagnoser]
public class SaslBenchmarks
{
    private readonly byte[] _plainBase64 = Encoding.ASCII.GetBytes(Convert.ToBase64String("\0alice@example.com\0correct horse battery staple"u8));
    private readonly byte[] _plainMessage = "\0alice@example.com\0correct horse battery staple"u8.ToArray();
    private readonly byte[] _userName = "alice@example.com"u8.ToArray();
    private readonly byte[] _password = "correct horse battery staple"u8.ToArray();
    private readonly byte[] _decodeBuffer = new byte[SaslWireFormat.MaxDecodedLength];

    [Benchmark]
    public int DecodeBase64Response()
    {
        SaslWireFormat.TryDecodeResponse(_plainBase64, isInitialResponse: false, _decodeBuffer, out var written, out _);
        return written;
    }

    [Benchmark]
    public SaslStep PlainDecode() => new SaslPlainMechanism().Start(_plainMessage);

    [Benchmark]
    public SaslStep LoginSteps()
    {
        var mechanism = new SaslLoginMechanism();
        mechanism.Start();
        mechanism.Continue(_userName);
        return mechanism.Continue(_password);
    }

    [Benchmark]
    public byte[] EncodeChallenge() => SaslWireFormat.EncodeChallenge("Password:"u8);
}
