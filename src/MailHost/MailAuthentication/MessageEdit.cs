namespace MailHost.MailAuthentication;

/// <summary>
/// One change to spooled content without copying it: at <see cref="Offset"/> of the source, <see cref="Insert"/> is
/// inserted and then <see cref="RemoveLength"/> octets of the source are left out.
/// </summary>
internal readonly record struct MessageEdit(long Offset, long RemoveLength, ReadOnlyMemory<byte> Insert)
{
    public static MessageEdit Insertion(long offset, ReadOnlyMemory<byte> bytes) => new(offset, 0, bytes);

    public static MessageEdit Removal(long offset, long length) => new(offset, length, default);

    /// <summary>
    /// The segments of the source from <paramref name="start"/> to <paramref name="end"/> with <paramref name="edits"/>
    /// applied. Edits are taken by offset, those at one offset in the order given; an edit that starts inside a range
    /// an earlier one removed, or outside the source range, is dropped.
    /// </summary>
    public static List<MessageSegment> Apply(long start, long end, IEnumerable<MessageEdit> edits)
    {
        var segments = new List<MessageSegment>();
        var at = start;
        foreach (var edit in edits.OrderBy(e => e.Offset))
        {
            if (edit.Offset < at || edit.Offset > end)
            {
                continue;
            }

            if (edit.Offset > at)
            {
                segments.Add(MessageSegment.Range(at, edit.Offset - at));
            }

            if (!edit.Insert.IsEmpty)
            {
                segments.Add(MessageSegment.Literal(edit.Insert));
            }

            at = Math.Min(end, edit.Offset + edit.RemoveLength);
        }

        if (end > at)
        {
            segments.Add(MessageSegment.Range(at, end - at));
        }

        return segments;
    }
}
