using System.Buffers;

namespace MailHost.Fuzz.Targets;

/// <summary>
/// The read loop of a line-based session (SMTP, POP3) over one input: offers everything buffered, advances to where
/// the parser says, reads more on Incomplete. <see cref="Step"/> is one parser call and says how far it consumed.
/// </summary>
internal static class LineCommandRun
{
    /// <summary>One parser call on the buffered bytes: returns whether more input is needed, and how many bytes it consumed.</summary>
    public delegate (bool NeedMore, long Consumed, bool Stop) Step(ReadOnlySequence<byte> buffer, bool isFinal);

    /// <summary>Runs <paramref name="step"/> until the input is used up or the step stops.</summary>
    public static void Run(byte[] data, int[] cuts, Step step)
    {
        var position = 0;
        var available = Sequences.NextCut(cuts, 0, data.Length);
        for (var calls = 0; ; calls++)
        {
            // Each call consumes bytes or asks for more; a loop without either is a parser that never settles.
            FuzzInvariantException.Check(calls <= (4 * data.Length) + 16, "The parser neither consumed nor asked for more input");
            var buffer = Sequences.Slice(data, position, available, cuts);
            var (needMore, consumed, stop) = step(buffer, available == data.Length);
            FuzzInvariantException.Check(consumed >= 0 && consumed <= buffer.Length, $"Consumed {consumed} of {buffer.Length} offered bytes");
            position += (int)consumed;
            if (stop)
            {
                return;
            }

            if (needMore)
            {
                if (available == data.Length)
                {
                    return;
                }

                available = Sequences.NextCut(cuts, available, data.Length);
            }
        }
    }

    /// <summary>Checks the text of a protocol error: one line, no control characters.</summary>
    public static void CheckReplyText(string text)
        => FuzzInvariantException.Check(!text.Any(c => c is < ' ' or '\x7f'), $"Reply text holds a control character: {text}");

    /// <summary>Both splits gave the same events.</summary>
    public static void CheckSame(List<string> whole, List<string> cut)
    {
        if (!whole.SequenceEqual(cut))
        {
            var at = whole.Zip(cut).TakeWhile(p => p.First == p.Second).Count();
            throw new FuzzInvariantException($"Whole and cut input parse differently at event {at}: '{whole.ElementAtOrDefault(at)}' vs '{cut.ElementAtOrDefault(at)}'");
        }
    }
}
