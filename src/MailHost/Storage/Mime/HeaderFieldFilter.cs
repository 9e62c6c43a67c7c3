namespace MailHost.Storage.Mime;

/// <summary>Which header fields a <see cref="HeaderFieldFilter"/> keeps, by field name (without the colon, trimmed).</summary>
internal delegate bool HeaderFieldPredicate(ReadOnlySpan<byte> name);

/// <summary>
/// Copies the fields of a header block that a predicate keeps, each whole with its folded lines (RFC 5322 §2.2), up to
/// the blank line that ends the block (not copied). Used by HEADER.FIELDS and by re-encoding a part's header.
/// </summary>
internal static class HeaderFieldFilter
{
    public static void Copy(ReadOnlySpan<byte> header, Stream output, HeaderFieldPredicate keep)
    {
        var include = false;
        while (!header.IsEmpty)
        {
            var end = header.IndexOf((byte)'\n');
            end = end < 0 ? header.Length : end + 1;
            var line = header[..end];
            header = header[end..];
            if (line.SequenceEqual("\r\n"u8) || line.SequenceEqual("\n"u8))
            {
                return;
            }

            if (line[0] is not ((byte)' ' or (byte)'\t'))
            {
                // A field is its first line and the folded lines after it; a line without a name has an empty one.
                var colon = line.IndexOf((byte)':');
                include = keep(colon > 0 ? line[..colon].Trim(" \t"u8) : default);
            }

            if (include)
            {
                output.Write(line);
            }
        }
    }
}
