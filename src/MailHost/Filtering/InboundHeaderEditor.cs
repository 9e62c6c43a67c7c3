using System.Buffers;
using System.Text;
using MailHost.MailAuthentication;

namespace MailHost.Filtering;

/// <summary>
/// Turns filters' header changes into edits of the spooled message: added fields become one insertion where the
/// client's header begins (below this server's trace fields, RFC 5322 §3.6), replaced and removed fields become
/// removals of the client's fields, found by scanning the raw header block (RFC 5322 §2.2: a field is a line that
/// does not start with white space, with the lines that do).
/// </summary>
internal static class InboundHeaderEditor
{
    /// <summary>A header block larger than this is not scanned: replace and remove then act as add only.</summary>
    private const int MaxHeaderScan = 1024 * 1024;

    /// <summary>
    /// The edits for <paramref name="changes"/> on content whose client part starts at <paramref name="contentOffset"/>
    /// of <paramref name="spool"/> (a seekable stream over the whole spool).
    /// </summary>
    public static async ValueTask<List<MessageEdit>> EditsAsync(Stream spool, long contentOffset, IReadOnlyCollection<InboundHeaderChange> changes, CancellationToken cancellationToken)
    {
        var edits = new List<MessageEdit>();
        if (changes.Count == 0)
        {
            return edits;
        }

        var needsScan = changes.Any(c => c.Kind != InboundHeaderChangeKind.Add);
        var fields = needsScan ? await ScanAsync(spool, contentOffset, cancellationToken).ConfigureAwait(false) : [];
        var top = new StringBuilder();
        var replacedAt = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        foreach (var change in changes)
        {
            if (!IsFieldName(change.Name))
            {
                continue;
            }

            switch (change.Kind)
            {
                case InboundHeaderChangeKind.Add:
                    top.Append(Field(change.Name, change.Value));
                    break;
                case InboundHeaderChangeKind.Remove:
                    RemoveAll(fields, change.Name, edits);
                    break;
                case InboundHeaderChangeKind.Replace:
                    var first = fields.FirstOrDefault(f => f.Name.Equals(change.Name, StringComparison.OrdinalIgnoreCase) && !f.Removed);
                    RemoveAll(fields, change.Name, edits);
                    if (first is null || replacedAt.ContainsKey(change.Name))
                    {
                        top.Append(Field(change.Name, change.Value));
                    }
                    else
                    {
                        // The new field takes the place of the first old one, so the order readers see stays.
                        replacedAt[change.Name] = first.Offset;
                        edits.Add(MessageEdit.Insertion(first.Offset, Encoding.UTF8.GetBytes(Field(change.Name, change.Value))));
                    }

                    break;
            }
        }

        if (top.Length > 0)
        {
            edits.Insert(0, MessageEdit.Insertion(contentOffset, Encoding.UTF8.GetBytes(top.ToString())));
        }

        // An insertion and a removal at one offset: the insertion first, or the removal would drop it.
        return [.. edits.OrderBy(e => e.Offset).ThenBy(e => e.RemoveLength)];
    }

    private static void RemoveAll(List<RawField> fields, string name, List<MessageEdit> edits)
    {
        foreach (var field in fields)
        {
            if (!field.Removed && field.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                field.Removed = true;
                edits.Add(MessageEdit.Removal(field.Offset, field.Length));
            }
        }
    }

    /// <summary>One field line with the value's line breaks taken out (a filter's value is unfolded text).</summary>
    private static string Field(string name, string? value)
        => name + ": " + (value ?? "").Replace('\r', ' ').Replace('\n', ' ').Trim() + "\r\n";

    /// <summary>RFC 5322 §3.6.8: a field name is printable ASCII except the colon.</summary>
    private static bool IsFieldName(string name) => name.Length is > 0 and <= 76 && name.All(c => c is > ' ' and <= '~' and not ':');

    private static async ValueTask<List<RawField>> ScanAsync(Stream spool, long contentOffset, CancellationToken cancellationToken)
    {
        var fields = new List<RawField>();
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(MaxHeaderScan, Math.Max(0, spool.Length - contentOffset)) + 1);
        try
        {
            spool.Position = contentOffset;
            var length = 0;
            while (length < buffer.Length - 1)
            {
                var read = await spool.ReadAsync(buffer.AsMemory(length, buffer.Length - 1 - length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            var pos = 0;
            RawField? current = null;
            while (pos < length)
            {
                var lineEnd = Array.IndexOf(buffer, (byte)'\n', pos, length - pos);
                var next = lineEnd < 0 ? length : lineEnd + 1;
                var line = buffer.AsSpan(pos, next - pos);
                if (line.Length == 0 || line[0] is (byte)'\r' or (byte)'\n')
                {
                    break; // the empty line that ends the header (RFC 5322 §2.1)
                }

                if (line[0] is (byte)' ' or (byte)'\t' && current is not null)
                {
                    current.Length += line.Length;
                }
                else
                {
                    var colon = line.IndexOf((byte)':');
                    current = colon > 0
                        ? new RawField(Encoding.ASCII.GetString(line[..colon]).TrimEnd(), contentOffset + pos) { Length = line.Length }
                        : null;
                    if (current is not null)
                    {
                        fields.Add(current);
                    }
                }

                pos = next;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return fields;
    }

    private sealed class RawField(string name, long offset)
    {
        public string Name { get; } = name;

        public long Offset { get; } = offset;

        public long Length { get; set; }

        public bool Removed { get; set; }
    }
}
