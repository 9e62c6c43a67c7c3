using System.Text;
using MailHost.Protocols.Sasl;

namespace MailHost.Fuzz.Targets;

/// <summary>
/// The SASL mechanisms driven as the sessions drive them. Input: the first line names the mechanism (PLAIN, LOGIN,
/// SCRAM-SHA-256, OAUTHBEARER, XOAUTH2), with <c> ir</c> when the next line is an initial response; each further line
/// is one raw (already decoded) client message. Every line is also decoded as wire text with
/// <see cref="SaslWireFormat.TryDecodeResponse"/>.
/// </summary>
/// <remarks>
/// Invariants: the exchange ends within one step per message plus the driver's own steps; a challenge is bounded; a
/// step's text never shows the password or bearer token; SCRAM asks for credentials at most once; base64 that decodes
/// re-encodes to the same text, and a challenge encoded for the wire decodes to itself.
/// </remarks>
internal static class SaslTarget
{
    private const int MaxChallengeLength = 4096;

    private static readonly SaslScramCredentials Credentials = new(
        "QSXCR+Q6sek8bf92"u8.ToArray(), 4096, new byte[SaslScramCredentials.KeyLength], Enumerable.Range(1, SaslScramCredentials.KeyLength).Select(i => (byte)i).ToArray());

    public static void Run(byte[] data)
    {
        // The whole input is decoded as one wire line too, which also reaches instrumented code when it is empty:
        // SharpFuzz reads the first input before afl-fuzz has written it (see fuzz/README.md), and a first run that
        // calls no MailHost code makes afl-fuzz abort its dry run with "No instrumentation detected".
        CheckWireFormat(data);
        var lines = Split(data);
        foreach (var line in lines)
        {
            CheckWireFormat(line);
        }

        if (lines.Count == 0)
        {
            return;
        }

        var head = Encoding.ASCII.GetString(lines[0]).Split(' ', 2);
        var mechanism = SaslMechanism.Create(head[0]);
        if (mechanism is null)
        {
            return;
        }

        var messages = new Queue<byte[]>(lines.Skip(1));
        var step = head.Length > 1 && head[1] == "ir" && messages.Count > 0 ? mechanism.Start(messages.Dequeue()) : mechanism.Start();
        var credentialsAsked = 0;
        for (var steps = 0; ; steps++)
        {
            FuzzInvariantException.Check(steps <= lines.Count + 3, $"{mechanism.Name}: the exchange does not end");
            CheckStep(step);
            switch (step.Kind)
            {
                case SaslStepKind.Challenge:
                    FuzzInvariantException.Check(!mechanism.IsCompleted, "A challenge after the exchange completed");
                    if (messages.Count == 0)
                    {
                        return;
                    }

                    step = mechanism.Continue(messages.Dequeue());
                    break;
                case SaslStepKind.NeedScramCredentials:
                    FuzzInvariantException.Check(++credentialsAsked == 1, "SCRAM asked for credentials twice");
                    step = mechanism.ProvideCredentials(Credentials);
                    break;
                case SaslStepKind.VerifyBearerToken:
                    // The driver's verdict: accept tokens of even length, refuse the others (RFC 7628 §3.2.2's extra round).
                    step = step.BearerToken!.Length % 2 == 0
                        ? mechanism.AcceptToken("alice")
                        : mechanism.RejectToken("{\"status\":\"invalid_token\"}"u8.ToArray());
                    break;
                default:
                    FuzzInvariantException.Check(step.Kind != SaslStepKind.Success || mechanism.IsCompleted, "Success before the exchange completed");
                    return;
            }
        }
    }

    private static void CheckStep(SaslStep step)
    {
        FuzzInvariantException.Check(step.Kind != SaslStepKind.Challenge || step.Data.Length <= MaxChallengeLength, $"Challenge of {step.Data.Length} bytes");
        var text = step.ToString();
        foreach (var secret in new[] { step.Password, step.BearerToken })
        {
            // A secret equal to the user name is shown as the user name; only a secret of its own is checked.
            if (secret is { Length: >= 6 } && !(step.AuthenticationId ?? string.Empty).Contains(secret, StringComparison.Ordinal)
                && !(step.AuthorizationId ?? string.Empty).Contains(secret, StringComparison.Ordinal)
                && text.Contains(secret, StringComparison.Ordinal))
            {
                throw new FuzzInvariantException($"A SASL step's text shows a secret: {text}");
            }
        }

        if (step.Kind == SaslStepKind.Challenge)
        {
            var wire = SaslWireFormat.EncodeChallenge(step.Data.Span);
            FuzzInvariantException.Check(Convert.FromBase64String(Encoding.ASCII.GetString(wire)).AsSpan().SequenceEqual(step.Data.Span), "An encoded challenge does not decode to itself");
        }
    }

    /// <summary>RFC 4648 §4 base64 is canonical with padding: what decodes re-encodes to the same text.</summary>
    private static void CheckWireFormat(byte[] text)
    {
        foreach (var initial in (bool[])[false, true])
        {
            var decoded = new byte[SaslWireFormat.MaxDecodedLength];
            if (!SaslWireFormat.TryDecodeResponse(text, initial, decoded, out var written, out _))
            {
                continue;
            }

            FuzzInvariantException.Check(written <= SaslWireFormat.MaxDecodedLength, "Decoded more than MaxDecodedLength");
            if (text.Length > 1)
            {
                var again = Convert.ToBase64String(decoded, 0, written);
                FuzzInvariantException.Check(again == Encoding.ASCII.GetString(text), $"Base64 '{Encoding.ASCII.GetString(text)}' decodes but re-encodes as '{again}'");
            }
        }
    }

    private static List<byte[]> Split(byte[] data)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i <= data.Length; i++)
        {
            if (i == data.Length || data[i] == (byte)'\n')
            {
                if (i < data.Length || i > start)
                {
                    lines.Add(data[start..i]);
                }

                start = i + 1;
            }
        }

        return lines;
    }
}
