using System.Buffers;
using MailHost.Protocols.Text;

namespace MailHost.Fuzz.Targets;

/// <summary>The SMTP DATA reader (<see cref="DotUnstuffer"/>): the content after the DATA command line.</summary>
/// <remarks>
/// Invariants, in Normalize and Reject mode with a small size cap: whole, cut and byte-at-a-time input give the same
/// status, counters, error and (when there is no error) output; <see cref="DotUnstuffer.MessageLength"/> is the bytes written and never over the cap;
/// the output has CRLF line endings only (no bare CR or LF, SECURITY B2) and ends with CRLF; completion needs the
/// exact CRLF.CRLF; dot-stuffing the output again with <see cref="DotStuffer"/> and reading it back gives the same
/// output (RFC 5321 §4.5.2 both ways).
/// </remarks>
internal static class DotUnstuffTarget
{
    private const long MaxMessageSize = 2048;

    public static void Run(byte[] data)
    {
        foreach (var mode in (DotBareLineEnding[])[DotBareLineEnding.Normalize, DotBareLineEnding.Reject])
        {
            var options = new DotUnstufferOptions { BareLineEndings = mode, MaxMessageSize = MaxMessageSize, MaxLineLength = 78, RejectLongLines = mode == DotBareLineEnding.Reject };
            var whole = Unstuff(data, Sequences.Whole(data.Length), options);
            var cut = Unstuff(data, Sequences.CutPoints(data.Length), options);
            var single = Unstuff(data, [.. Enumerable.Range(1, data.Length)], options);
            FuzzInvariantException.Check(
                Comparable(whole) == Comparable(cut) && Comparable(whole) == Comparable(single),
                $"{mode}: splits disagree: {whole} / {cut} / {single}");
            var output = whole.Output;
            FuzzInvariantException.Check(output.Length <= MaxMessageSize, $"Wrote {output.Length} bytes over the {MaxMessageSize} cap");
            if (whole.Error != DotUnstuffError.None || !whole.Completed)
            {
                continue;
            }

            CheckLineEndings(output, mode);
            var stuffed = new ArrayBufferWriter<byte>();
            var stuffer = new DotStuffer();
            stuffer.Write(System.Text.Encoding.Latin1.GetBytes(output), stuffed);
            stuffer.Complete(stuffed);
            var again = Unstuff(stuffed.WrittenSpan.ToArray(), Sequences.Whole(stuffed.WrittenCount), new DotUnstufferOptions { MaxMessageSize = long.MaxValue });
            FuzzInvariantException.Check(again.Completed && again.Consumed == stuffed.WrittenCount && again.Output == output, "Stuffing the output and reading it back changes it");
        }
    }

    private static void CheckLineEndings(string output, DotBareLineEnding mode)
    {
        for (var i = 0; i < output.Length; i++)
        {
            var bad = (output[i] == '\r' && (i + 1 == output.Length || output[i + 1] != '\n')) || (output[i] == '\n' && (i == 0 || output[i - 1] != '\r'));
            FuzzInvariantException.Check(!bad, $"{mode}: a bare CR or LF at {i} of the output");
        }

        FuzzInvariantException.Check(output.Length == 0 || output.EndsWith("\r\n", StringComparison.Ordinal), $"{mode}: the output does not end with CRLF");
    }

    private static Result Unstuff(byte[] data, int[] cuts, DotUnstufferOptions options)
    {
        var unstuffer = new DotUnstuffer(options);
        var output = new ArrayBufferWriter<byte>();
        var position = 0;
        var status = DotUnstuffStatus.NeedMoreData;
        while (position < data.Length && status == DotUnstuffStatus.NeedMoreData)
        {
            var end = Sequences.NextCut(cuts, position, data.Length);
            var buffer = Sequences.Slice(data, position, end, cuts);
            status = unstuffer.Unstuff(buffer, output, out var consumed);
            var length = (int)buffer.Slice(0, consumed).Length;
            FuzzInvariantException.Check(status == DotUnstuffStatus.Completed || length == buffer.Length, "NeedMoreData without consuming everything");
            position += length;
        }

        FuzzInvariantException.Check(unstuffer.MessageLength == output.WrittenCount, $"MessageLength {unstuffer.MessageLength}, written {output.WrittenCount}");
        FuzzInvariantException.Check(unstuffer.IsCompleted == (status == DotUnstuffStatus.Completed), "IsCompleted disagrees with the status");
        return new Result(status == DotUnstuffStatus.Completed, position, System.Text.Encoding.Latin1.GetString(output.WrittenSpan), unstuffer.Error, unstuffer.LongLineCount, unstuffer.BareLineEndingCount);
    }

    /// <summary>
    /// What must not depend on the split. After an error the session refuses the message and drops what was written,
    /// so how much of the refused message was written before the error was noticed (a long line is seen whole or in
    /// pieces) is not part of the contract.
    /// </summary>
    private static Result Comparable(Result result) => result.Error == DotUnstuffError.None ? result : result with { Output = string.Empty };

    private sealed record Result(bool Completed, int Consumed, string Output, DotUnstuffError Error, int LongLines, int BareLineEndings);
}
