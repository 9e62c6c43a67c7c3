using System.Buffers;
using System.Text;
using MailHost.Fuzz.Sessions;
using MailHost.Imap;
using MailHost.Protocols.Imap;
using MailHost.Storage;
using MailHost.Storage.Mime;

namespace MailHost.Fuzz.Targets;

/// <summary>
/// The MIME indexer run at delivery (<see cref="MimeIndexer"/>) on a whole message: the structure behind BODYSTRUCTURE,
/// ENVELOPE, PREVIEW, threading and the search text.
/// </summary>
/// <remarks>
/// Invariants: the index is the same whether the message is read at once or a few bytes per read; every part's offsets
/// are ordered and inside its parent's body; parts, depth, preview, references and texts stay within their caps;
/// BODYSTRUCTURE and ENVELOPE written for a FETCH response pass <see cref="ImapReplyChecks"/> (every string quoted or a
/// literal, parentheses balanced); no exception escapes the indexer.
/// </remarks>
internal static class MimeIndexTarget
{
    private static readonly MailStoreLimits Limits = new()
    {
        MaxMimeParts = 40,
        MaxMimeDepth = 6,
        MaxIndexedTextLength = 2048,
        MaxIndexedHeaderLength = 2048,
    };

    public static void Run(byte[] data)
    {
        var whole = Index(new MemoryStream(data), data.Length);
        var trickled = Index(new TrickleStream(data), data.Length);
        var described = Describe(whole);
        FuzzInvariantException.Check(described == Describe(trickled), "The index depends on how the message was read");

        var index = whole.Index;
        FuzzInvariantException.Check(index.HeaderLength >= 0 && index.HeaderLength <= data.Length, $"Header length {index.HeaderLength} of {data.Length}");
        FuzzInvariantException.Check(index.Preview.Length <= MimeIndexer.MaxPreviewLength, $"Preview of {index.Preview.Length} characters");
        FuzzInvariantException.Check((index.References?.Count ?? 0) <= MimeIndexer.MaxThreadReferences, $"{index.References?.Count} references kept");
        FuzzInvariantException.Check(whole.HeaderText.Length <= Limits.MaxIndexedHeaderLength, $"Header text of {whole.HeaderText.Length}");
        FuzzInvariantException.Check(whole.BodyText.Length <= Limits.MaxIndexedTextLength, $"Body text of {whole.BodyText.Length}");
        var parts = 0;
        CheckPart(index.Body, 0, data.Length, 0, ref parts);
        ImapReplyChecks.Check(FetchLine(whole));
    }

    private static IndexedMessage Index(Stream content, long length)
        => MimeIndexer.IndexAsync(content, length, Limits, CancellationToken.None).GetAwaiter().GetResult();

    private static void CheckPart(MessagePart part, long start, long end, int depth, ref int parts)
    {
        parts++;
        FuzzInvariantException.Check(parts <= Limits.MaxMimeParts + 1, $"More than {Limits.MaxMimeParts} parts indexed");
        FuzzInvariantException.Check(depth <= Limits.MaxMimeDepth + 1, $"Parts nested {depth} deep");
        FuzzInvariantException.Check(
            start <= part.HeaderOffset && part.HeaderOffset <= part.BodyOffset && part.BodyOffset <= part.EndOffset && part.EndOffset <= end,
            $"Part offsets {part.HeaderOffset}/{part.BodyOffset}/{part.EndOffset} outside {start}..{end}");
        FuzzInvariantException.Check(part.Lines >= 0, $"{part.Lines} lines");
        foreach (var child in part.Parts)
        {
            CheckPart(child, part.BodyOffset, part.EndOffset, depth + 1, ref parts);
        }

        if (part.Message is { } inner)
        {
            CheckPart(inner, part.BodyOffset, part.EndOffset, depth + 1, ref parts);
        }
    }

    /// <summary>The index as text: the FETCH response line and the rest of the index.</summary>
    private static string Describe(IndexedMessage message)
        => Encoding.UTF8.GetString(FetchLine(message)) + $"{message.Index.HeaderLength} {message.Index.SentDate} {message.Index.Clipped} {message.MessageId} " +
            $"{string.Join(',', message.References)} {message.HeaderText} {message.BodyText} {message.AddressText} {message.NulParts.Count}";

    /// <summary>The FETCH response line a client would get for the message's BODYSTRUCTURE, ENVELOPE and PREVIEW.</summary>
    private static byte[] FetchLine(IndexedMessage message)
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new ImapResponseWriter(output);
        writer.WriteRaw("* 1 FETCH (BODYSTRUCTURE "u8);
        writer.WriteBodyStructure(ImapMessageIndexMapper.ToBodyStructure(message.Index.Body), extensible: true);
        writer.WriteRaw(" ENVELOPE "u8);
        writer.WriteEnvelope(ImapMessageIndexMapper.ToEnvelope(message.Index.Envelope));
        writer.WriteRaw(" PREVIEW "u8);
        writer.WriteNString(message.Index.Preview);
        writer.WriteRaw(")\r\n"u8);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A stream that hands out at most a few bytes per read, as a slow network would.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data, writable: false)
    {
        private int _reads;

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1 + (_reads++ % 7)));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1 + (_reads++ % 7))]);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => Task.FromResult(Read(buffer, offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(Read(buffer.Span));
    }
}
