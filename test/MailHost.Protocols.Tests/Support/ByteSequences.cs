using System.Buffers;

namespace MailHost.Protocols.Tests.Support;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/> values, the way a pipe hands over data.</summary>
internal static class ByteSequences
{
    /// <summary>
    /// Splits <paramref name="data"/> at the given offsets (ascending, 0..length; repeats and 0/length make
    /// empty segments). Every segment is its own array, so nothing is accidentally contiguous.
    /// </summary>
    public static ReadOnlySequence<byte> Split(ReadOnlySpan<byte> data, params int[] cuts)
    {
        Segment? first = null;
        Segment? last = null;
        var start = 0;
        foreach (var cut in cuts.Append(data.Length))
        {
            if (cut < start || cut > data.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(cuts), "cuts must be ascending offsets within the data");
            }

            var segment = new Segment(data[start..cut].ToArray());
            if (first is null)
            {
                first = segment;
            }
            else
            {
                last!.Append(segment);
            }

            last = segment;
            start = cut;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary>One segment per byte: the worst fragmentation a transport can produce.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(ReadOnlySpan<byte> data) =>
        data.Length <= 1 ? new ReadOnlySequence<byte>(data.ToArray()) : Split(data, Enumerable.Range(1, data.Length - 1).ToArray());

    /// <summary>Every way to cut <paramref name="data"/> into two segments (cut offsets 0..length).</summary>
    public static IEnumerable<ReadOnlySequence<byte>> EveryTwoWaySplit(byte[] data)
    {
        for (var cut = 0; cut <= data.Length; cut++)
        {
            yield return Split(data, cut);
        }
    }

    /// <summary>Splits at random offsets; used by properties that must hold for any segmentation.</summary>
    public static ReadOnlySequence<byte> SplitRandomly(byte[] data, int[] randomOffsets)
    {
        var cuts = randomOffsets.Select(o => data.Length == 0 ? 0 : Math.Abs(o % (data.Length + 1))).Order().ToArray();
        return Split(data, cuts);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public void Append(Segment next)
        {
            next.RunningIndex = RunningIndex + Memory.Length;
            Next = next;
        }
    }
}
