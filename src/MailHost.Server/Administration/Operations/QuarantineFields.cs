using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using MailHost.MailAuthentication;

namespace MailHost.Server.Administration.Operations;

/// <summary>
/// The four fields this server puts above a quarantined message (<c>SmtpSession.FilterHeaderChanges</c>): why it was
/// held, for whom, from whom and in which transaction, with where each one is in the stored bytes, so a release can
/// leave exactly them out. Only the first field of each name counts: the server inserts its own above the client's
/// content, so a later one is the sender's text and is neither believed nor removed.
/// </summary>
/// <param name="Reason">The filters' reasons, or <see langword="null"/> when there is no such field.</param>
/// <param name="Recipients">The original recipients, as SMTP accepted them.</param>
/// <param name="Sender">The original reverse-path (<c>&lt;&gt;</c> for the null one), or <see langword="null"/>.</param>
/// <param name="Transaction">The SMTP transaction id, or <see langword="null"/>.</param>
/// <param name="Removals">The byte ranges of the fields found, in the order of the message.</param>
internal sealed record QuarantineFields(string? Reason, IReadOnlyList<string> Recipients, string? Sender, string? Transaction, IReadOnlyList<MessageEdit> Removals)
{
    public const string ReasonField = "X-MailHost-Quarantine";
    public const string RecipientsField = "X-MailHost-Original-Recipients";
    public const string SenderField = "X-MailHost-Original-Sender";
    public const string TransactionField = "X-MailHost-Transaction";

    /// <summary>
    /// The most header bytes read. The server's fields come right after its trace fields, so they are found long
    /// before this; a message whose fields are not within it is treated as one without them.
    /// </summary>
    public const int MaxHeaderScan = 1024 * 1024;

    private const int FirstRead = 8 * 1024;

    private static readonly byte[][] Names = [.. new[] { ReasonField, RecipientsField, SenderField, TransactionField }.Select(Encoding.ASCII.GetBytes)];

    /// <summary>Whether the message carries the recipients a release needs.</summary>
    public bool IsQuarantined => Recipients.Count > 0;

    /// <summary>
    /// Reads the header of <paramref name="content"/> (a stored message from its first byte) only as far as the four
    /// fields or the end of the header; the body is never read.
    /// </summary>
    public static async ValueTask<QuarantineFields> ReadAsync(Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var buffer = ArrayPool<byte>.Shared.Rent(FirstRead);
        try
        {
            var length = 0;
            var ended = false;
            while (true)
            {
                // The buffer is filled before each scan, and doubled after one that needs more: a long header is
                // scanned a few times over in all, however small the reads of the store's stream are.
                var capacity = Math.Min(buffer.Length, MaxHeaderScan);
                while (length < capacity && !ended)
                {
                    var read = await content.ReadAsync(buffer.AsMemory(length, capacity - length), cancellationToken).ConfigureAwait(false);
                    length += read;
                    ended = read == 0;
                }

                if (TryParse(buffer.AsSpan(0, length), ended || length >= MaxHeaderScan, out var fields))
                {
                    return fields;
                }

                var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxHeaderScan));
                buffer.AsSpan(0, length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Scans the raw header at the start of <paramref name="data"/>: false when it needs more bytes to tell (a field
    /// ends only where the next line does not start with white space, RFC 5322 §2.2.3), unless
    /// <paramref name="final"/> says there are no more.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, bool final, [NotNullWhen(true)] out QuarantineFields? fields)
    {
        var found = new (long Offset, long Length, string Value)?[Names.Length];
        var current = -1;
        var currentStart = 0;
        var pos = 0;
        while (true)
        {
            var newline = data[pos..].IndexOf((byte)'\n');
            if (newline < 0 && !final)
            {
                fields = null;
                return false;
            }

            var next = newline < 0 ? data.Length : pos + newline + 1;
            var line = data[pos..next];

            // RFC 5322 §2.1: an empty line ends the header; so does the end of the bytes.
            var ends = line.IsEmpty || line[0] is (byte)'\r' or (byte)'\n';
            var continues = !ends && line[0] is (byte)' ' or (byte)'\t';
            if (!continues)
            {
                Finish(data, current, currentStart, pos, found);
                current = -1;
                if (ends || Array.TrueForAll(found, f => f is not null))
                {
                    break;
                }

                current = NameIndex(line);
                currentStart = pos;
            }

            pos = next;
            if (pos == data.Length && !final)
            {
                // Whether the last field goes on is decided by the next line.
                fields = null;
                return false;
            }
        }

        fields = new QuarantineFields(
            found[0]?.Value,
            found[1] is { } recipients ? SplitRecipients(recipients.Value) : [],
            found[2]?.Value,
            found[3]?.Value,
            [.. found.Where(f => f is not null).Select(f => MessageEdit.Removal(f!.Value.Offset, f.Value.Length)).OrderBy(e => e.Offset)]);
        return true;
    }

    /// <summary>
    /// Splits the recipients field at the commas between addresses. A quoted local part (RFC 5321 §4.1.2
    /// <c>Quoted-string</c>) may hold a comma, so commas inside quotes, and quoted pairs, do not split.
    /// </summary>
    public static IReadOnlyList<string> SplitRecipients(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var recipients = new List<string>();
        var start = 0;
        var quoted = false;
        for (var i = 0; i < value.Length; i++)
        {
            switch (value[i])
            {
                case '\\' when quoted:
                    i++;
                    break;
                case '"':
                    quoted = !quoted;
                    break;
                case ',' when !quoted:
                    Add(value[start..i]);
                    start = i + 1;
                    break;
            }
        }

        Add(value[start..]);
        return recipients;

        void Add(string recipient)
        {
            if (recipient.Trim() is { Length: > 0 } trimmed)
            {
                recipients.Add(trimmed);
            }
        }
    }

    /// <summary>Which of the four names the field on <paramref name="line"/> has (RFC 5322 §3.6.8, case-insensitive), or -1.</summary>
    private static int NameIndex(ReadOnlySpan<byte> line)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            return -1;
        }

        // RFC 5322 §4.5.1 (obsolete syntax): white space may stand between the name and the colon.
        var name = line[..colon].TrimEnd(" \t"u8);
        for (var i = 0; i < Names.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(name, Names[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Records the field that ran from <paramref name="start"/> to <paramref name="end"/>, when it is the first of its name.</summary>
    private static void Finish(ReadOnlySpan<byte> data, int index, int start, int end, (long Offset, long Length, string Value)?[] found)
    {
        if (index < 0 || found[index] is not null)
        {
            return;
        }

        var field = data[start..end];
        var value = Encoding.UTF8.GetString(field[(field.IndexOf((byte)':') + 1)..]);

        // RFC 5322 §2.2.3: unfolding removes the line breaks; the server writes each of these on one line anyway.
        found[index] = (start, end - start, value.Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal).Trim());
    }
}
