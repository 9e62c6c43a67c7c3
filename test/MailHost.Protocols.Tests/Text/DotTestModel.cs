using System.Buffers;
using MailHost.Protocols.Text;

namespace MailHost.Protocols.Tests.Text;

/// <summary>Drivers and the reference model for the dot-stuffing tests.</summary>
internal static class DotTestModel
{
    /// <summary>What a receiver gets after stuffing then unstuffing: bare CR/LF as CRLF, a final CRLF added.</summary>
    public static byte[] Normalize(ReadOnlySpan<byte> stored, byte? nulReplacement = null)
    {
        var result = new List<byte>(stored.Length + 8);
        for (var i = 0; i < stored.Length; i++)
        {
            var b = stored[i];
            if (b == (byte)'\r')
            {
                result.Add((byte)'\r');
                result.Add((byte)'\n');
                if (i + 1 < stored.Length && stored[i + 1] == (byte)'\n')
                {
                    i++;
                }
            }
            else if (b == (byte)'\n')
            {
                result.Add((byte)'\r');
                result.Add((byte)'\n');
            }
            else
            {
                result.Add(b == 0 && nulReplacement is byte r ? r : b);
            }
        }

        if (result.Count > 0 && !(result[^1] == (byte)'\n'))
        {
            result.Add((byte)'\r');
            result.Add((byte)'\n');
        }

        return [.. result];
    }

    public static byte[] Stuff(byte[] stored, DotStufferOptions? options = null, int[]? cuts = null)
    {
        var stuffer = new DotStuffer(options ?? new DotStufferOptions());
        var output = new ArrayBufferWriter<byte>();
        var start = 0;
        foreach (var cut in (cuts ?? []).Append(stored.Length))
        {
            if (stuffer.Write(stored.AsSpan(start, cut - start), output) == DotStuffStatus.Done)
            {
                break;
            }

            start = cut;
        }

        stuffer.Complete(output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Feeds <paramref name="wire"/> in the given pieces; returns the message, the bytes consumed and the unstuffer.</summary>
    public static (byte[] Message, int Consumed, DotUnstuffer Unstuffer) Unstuff(byte[] wire, DotUnstufferOptions? options = null, IEnumerable<int>? cuts = null)
    {
        var unstuffer = new DotUnstuffer(options ?? new DotUnstufferOptions());
        var output = new ArrayBufferWriter<byte>();
        var start = 0;
        foreach (var cut in (cuts ?? []).Append(wire.Length))
        {
            if (unstuffer.Unstuff(wire.AsSpan(start, cut - start), output, out var used) == DotUnstuffStatus.Completed)
            {
                return (output.WrittenSpan.ToArray(), start + used, unstuffer);
            }

            used.Should().Be(cut - start);
            start = cut;
        }

        return (output.WrittenSpan.ToArray(), -1, unstuffer);
    }
}
