namespace MailHost.Protocols.Imap;

/// <summary>
/// Writes SEARCH, SORT and ESEARCH responses (RFC 3501 §7.2.5, RFC 5256 §4, RFC 4731 §3.1, RFC 7162 §3.1.5). Pure: built on the primitives of <see cref="ImapResponseWriter"/>;
/// nothing is flushed here.
/// </summary>
public static class ImapSearchWriter
{
    /// <summary>Writes <c>* SEARCH n n ... [(MODSEQ m)]</c> CRLF (RFC 3501 §7.2.5, RFC 7162 §3.1.5); also used for SORT with <paramref name="name"/> <c>SORT</c>.</summary>
    public static void WriteSearch(this ImapResponseWriter writer, IEnumerable<uint> numbers, ulong? highestModSeq = null, string name = "SEARCH")
    {
        ArgumentNullException.ThrowIfNull(numbers);
        writer.WriteRaw("* "u8);
        writer.WriteAtom(name);
        foreach (var number in numbers)
        {
            writer.WriteSpace();
            writer.WriteNumber(number);
        }

        if (highestModSeq is not null)
        {
            writer.WriteRaw(" (MODSEQ "u8);
            writer.WriteNumber(highestModSeq.Value);
            writer.WriteByte((byte)')');
        }

        writer.WriteCrlf();
    }

    /// <summary>
    /// Writes <c>* ESEARCH (TAG "t") [UID] [MIN n] [MAX n] [ALL set] [COUNT n] [MODSEQ m]</c> CRLF (RFC 4731 §3.1, RFC 7162).
    /// Items that are null are left out.
    /// </summary>
    public static void WriteEsearch(this ImapResponseWriter writer, string tag, bool isUid, uint? min = null, uint? max = null, ImapSequenceSet? all = null, uint? count = null, ulong? modSeq = null)
    {
        writer.WriteRaw("* ESEARCH (TAG "u8);
        writer.WriteQuoted(tag);
        writer.WriteByte((byte)')');
        if (isUid)
        {
            writer.WriteRaw(" UID"u8);
        }

        WriteOptionalNumber(writer, " MIN "u8, min);
        WriteOptionalNumber(writer, " MAX "u8, max);
        if (all is not null)
        {
            writer.WriteRaw(" ALL "u8);
            writer.WriteSequenceSet(all);
        }

        WriteOptionalNumber(writer, " COUNT "u8, count);
        if (modSeq is not null)
        {
            writer.WriteRaw(" MODSEQ "u8);
            writer.WriteNumber(modSeq.Value);
        }

        writer.WriteCrlf();
    }

    private static void WriteOptionalNumber(ImapResponseWriter writer, ReadOnlySpan<byte> prefix, uint? value)
    {
        if (value is not null)
        {
            writer.WriteRaw(prefix);
            writer.WriteNumber(value.Value);
        }
    }
}
