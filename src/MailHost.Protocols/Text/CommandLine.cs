using System.Buffers;

namespace MailHost.Protocols.Text;

/// <summary>
/// A framed command line as one span, for grammar code that reads spans. A line that arrived in one segment is
/// used in place; one split across segments is copied into a pooled array, given back by <see cref="Dispose"/>.
/// </summary>
internal ref struct CommandLine
{
    private byte[]? _rented;

    /// <summary>Holds <paramref name="line"/> (CRLF excluded) as one span.</summary>
    public CommandLine(ReadOnlySequence<byte> line)
    {
        if (line.IsSingleSegment)
        {
            Text = line.FirstSpan;
            return;
        }

        _rented = ArrayPool<byte>.Shared.Rent((int)line.Length);
        line.CopyTo(_rented);
        Text = _rented.AsSpan(0, (int)line.Length);
    }

    /// <summary>The line's octets, CRLF excluded; empty when no line was framed.</summary>
    public ReadOnlySpan<byte> Text { get; private set; }

    /// <summary>Returns the pooled copy, if any; <see cref="Text"/> is empty afterwards.</summary>
    public void Dispose()
    {
        Text = default;
        if (_rented is not null)
        {
            ArrayPool<byte>.Shared.Return(_rented);
            _rented = null;
        }
    }
}
