using System.Buffers;

namespace MailHost.Fuzz;

/// <summary>
/// Input as a network read hands it over: in pieces. The harnesses run each input whole and cut into small
/// segments, because every parser promises that any split of the input gives the same results.
/// </summary>
internal static class Sequences
{
    /// <summary>The segment lengths of the cut run: a fixed cycle of small lengths, so one input always cuts the same way.</summary>
    private static readonly int[] Cuts = [1, 3, 2, 7, 1, 1, 5, 16, 2, 64];

    /// <summary>Where the cut run ends its segments in an input of <paramref name="length"/> bytes (ascending, last = length).</summary>
    public static int[] CutPoints(int length)
    {
        var points = new List<int>();
        var at = 0;
        for (var i = 0; at < length; i++)
        {
            at = Math.Min(length, at + Cuts[i % Cuts.Length]);
            points.Add(at);
        }

        return [.. points];
    }

    /// <summary>The cut points of one segment holding all <paramref name="length"/> bytes.</summary>
    public static int[] Whole(int length) => length == 0 ? [] : [length];

    /// <summary>
    /// <paramref name="data"/>[<paramref name="start"/>..<paramref name="end"/>] as a sequence whose segments break at
    /// <paramref name="cuts"/> (positions in <paramref name="data"/>).
    /// </summary>
    public static ReadOnlySequence<byte> Slice(byte[] data, int start, int end, int[] cuts)
    {
        if (start >= end)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        Segment? first = null;
        Segment? last = null;
        var from = start;
        foreach (var cut in cuts.Where(c => c > start && c < end).Append(end))
        {
            var segment = new Segment(data.AsMemory(from, cut - from), last);
            first ??= segment;
            last = segment;
            from = cut;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary>The first cut after <paramref name="position"/>, or <paramref name="length"/>.</summary>
    public static int NextCut(int[] cuts, int position, int length)
    {
        foreach (var cut in cuts)
        {
            if (cut > position)
            {
                return cut;
            }
        }

        return length;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }
}
