using System.Text;
using CsCheck;
using MailHost.Protocols.Sasl;

namespace MailHost.Protocols.Tests.Sasl;

/// <summary>Client data of any shape yields a step value, never an exception (SECURITY T29).</summary>
public class SaslPropertyTests
{
    private static readonly Gen<byte[]> Bytes = Gen.OneOf(
        Gen.Byte.Array[0, 64],
        Gen.Char["n,=ayprcm0A\0é"].Array[0, 40].Select(Encoding.UTF8.GetBytes),
        Gen.Char["n,=a\u0001uthosrBe k"].Array[0, 40].Select(Encoding.UTF8.GetBytes));

    [Fact]
    public void Response_decoding_never_throws_and_valid_base64_round_trips() =>
        Gen.Select(Gen.Byte.Array[0, 40], Gen.Bool, Gen.Bool).Sample((data, initial, encode) =>
        {
            // Half the cases are arbitrary bytes (malformed almost always), half the base64 of arbitrary bytes, which
            // must decode to exactly those bytes. RFC 4954 §4: an empty initial response is sent as "=".
            var text = !encode ? data
                : data.Length == 0 && initial ? "="u8.ToArray()
                : Encoding.ASCII.GetBytes(Convert.ToBase64String(data));
            var destination = new byte[SaslWireFormat.MaxDecodedLength];
            var ok = SaslWireFormat.TryDecodeResponse(text, initial, destination, out var written, out var failure);
            if (encode)
            {
                ok.Should().BeTrue("{0} is valid base64 (failure {1})", Encoding.ASCII.GetString(text), failure);
                destination.AsSpan(0, written).ToArray().Should().Equal(data);
            }

            (ok || written == 0).Should().BeTrue("a refused response decodes to nothing");
        }, iter: 50_000);

    [Fact]
    public void Mechanisms_never_throw_on_client_data() =>
        Gen.Select(Bytes, Bytes, Bytes).Sample((first, second, third) =>
        {
            foreach (var name in SaslMechanismNames.All)
            {
                var mechanism = SaslMechanism.Create(name)!;
                var step = mechanism.Start(first);
                foreach (var response in new[] { second, third })
                {
                    if (step.Kind == SaslStepKind.NeedScramCredentials)
                    {
                        step = mechanism.ProvideCredentials(new SaslScramCredentials(new byte[16], 4096, new byte[32], new byte[32]));
                    }

                    if (step.Kind == SaslStepKind.VerifyBearerToken)
                    {
                        step = mechanism.RejectToken("{\"status\":\"invalid_token\"}"u8.ToArray());
                    }

                    if (step.Kind != SaslStepKind.Challenge)
                    {
                        break;
                    }

                    step = mechanism.Continue(response);
                }
            }
        }, iter: 20_000);

    [Fact]
    public void Scram_client_final_never_throws() =>
        Gen.Char["cprvn=,biws0A+/"].Array[0, 60].Sample(chars =>
        {
            var mechanism = new SaslScramSha256Mechanism("snonce");
            mechanism.Start("n,,n=user,r=cnonce"u8);
            mechanism.ProvideCredentials(new SaslScramCredentials(new byte[16], 4096, new byte[32], new byte[32]));
            var step = mechanism.Continue(Encoding.ASCII.GetBytes("c=biws,r=cnoncesnonce" + new string(chars)));
            return step.Kind is SaslStepKind.Failure or SaslStepKind.Success;
        }, iter: 20_000);
}
