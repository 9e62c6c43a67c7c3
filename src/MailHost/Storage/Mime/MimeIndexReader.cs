using System.Buffers;
using System.Text;
using MailHost.Protocols.Mail;
using MailHost.Storage.Search;
using MimeKit;
using MimeKit.Encodings;
using MimeKit.Utils;

namespace MailHost.Storage.Mime;

/// <summary>
/// The callbacks behind <see cref="MimeIndexer"/>. MimeKit reports a header block first, then the entity that
/// owns it; a message's root entity shares the message's header block.
/// </summary>
internal sealed class MimeIndexReader : MimeReader
{
    private const int MaxAddressesPerField = 1000;
    private const int MaxReferences = 100;
    private const int MaxCapturedHeaderValue = 64 * 1024;

    private readonly MailStoreLimits _limits;
    private readonly List<Frame> _stack = [];
    private readonly List<MessagePart> _nulParts = [];
    private readonly StringBuilder _headerText = new();
    private readonly StringBuilder _bodyText = new();
    private HeaderBag _pending = new();
    private int _headerBlocks;
    private long _topHeaderLength = -1;
    private int _partCount;
    private bool _clipped;
    private bool _broken;
    private MessagePart? _topBody;
    private MessageEnvelope? _topEnvelope;
    private HeaderBag? _topHeaders;
    private TextCapture? _capture;
    private string? _plainPreview;
    private string? _htmlPreview;

    public MimeIndexReader(Stream stream, MailStoreLimits limits)
        : base(CreateOptions(limits), stream, MimeFormat.Entity) => _limits = limits;

    public void MarkBroken() => _broken = true;

    public IndexedMessage Build(long length)
    {
        var clipped = _clipped || _broken || _topBody is null;
        var headerLength = _topHeaderLength >= 0 ? _topHeaderLength : 0;
        var body = _topBody ?? new MessagePart
        {
            MediaType = "text",
            MediaSubtype = "plain",
            Parameters = [new MimeParameter("charset", "us-ascii")],
            HeaderOffset = 0,
            BodyOffset = headerLength,
            EndOffset = length,
        };
        var headers = _topHeaders ?? _pending;
        var envelope = _topEnvelope ?? BuildEnvelope(headers);
        DateTimeOffset? sentDate = headers.Date is { } date && DateUtils.TryParse(date, out var parsed) ? parsed : null;
        var messageId = headers.MessageId is { } id ? MimeUtils.ParseMessageId(id, 0, id.Length) : null;
        var references = new List<string>();
        AddReferences(references, headers.References);
        AddReferences(references, headers.InReplyTo);
        var preview = MakePreview(_plainPreview ?? _htmlPreview ?? string.Empty);
        var index = new MessageIndex(envelope, body, headerLength, preview, sentDate, clipped) { References = ThreadReferences(headers.References) };
        return new IndexedMessage(index, _headerText.ToString(), _bodyText.ToString(), messageId, references)
        {
            NulParts = _nulParts,
            AddressText = AddressSearchText.Format(envelope, _limits.MaxIndexedHeaderLength),
        };
    }

    protected override void OnHeadersBegin(long beginOffset, int beginLineNumber, CancellationToken cancellationToken) => _pending = new HeaderBag();

    protected override void OnHeaderRead(Header header, int beginLineNumber, CancellationToken cancellationToken)
    {
        _pending.Add(header);
        if (_headerBlocks == 0 && _headerText.Length < _limits.MaxIndexedHeaderLength)
        {
            string value;
            try
            {
                value = header.Value;
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException)
            {
                value = string.Empty;
            }

            var room = _limits.MaxIndexedHeaderLength - _headerText.Length;
            var line = string.Concat(header.Field, ": ", value.ReplaceLineEndings(" "), "\n");
            _headerText.Append(line.Length <= room ? line : line[..room]);
        }
    }

    protected override void OnHeadersEnd(long beginOffset, int beginLineNumber, long headersEndOffset, int lineNumber, CancellationToken cancellationToken)
    {
        if (_headerBlocks == 0)
        {
            _topHeaderLength = headersEndOffset;
            _topHeaders = _pending;
        }

        _headerBlocks++;
    }

    protected override void OnMimeMessageBegin(long beginOffset, int beginLineNumber, CancellationToken cancellationToken)
        => _stack.Add(new Frame { Headers = _pending, IsMessage = true });

    protected override void OnMimeMessageEnd(long beginOffset, int beginLineNumber, long headersEndOffset, long endOffset, int lines, CancellationToken cancellationToken)
    {
        var frame = Pop();
        if (frame is null || !frame.IsMessage)
        {
            _clipped = true;
            return;
        }

        var envelope = BuildEnvelope(frame.Headers);
        var parent = Peek();
        if (parent is null)
        {
            _topEnvelope = envelope;
            _topBody = frame.MessageBody;
        }
        else if (!parent.IsMessage)
        {
            parent.Envelope = envelope;
            parent.MessageBody = frame.MessageBody;
        }
    }

    protected override void OnMimePartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken)
    {
        var frame = BeginEntity(contentType, beginOffset);
        if (!frame.Dropped && string.Equals(frame.MediaType, "text", StringComparison.Ordinal)
            && frame.MediaSubtype is "plain" or "html" && _bodyText.Length < _limits.MaxIndexedTextLength)
        {
            var html = string.Equals(frame.MediaSubtype, "html", StringComparison.Ordinal);
            _capture = new TextCapture(
                frame,
                contentType,
                html,
                _limits.MaxIndexedTextLength,
                _bodyText.Length,
                html ? (_htmlPreview is null ? new StringBuilder() : null) : (_plainPreview is null ? new StringBuilder() : null));
        }
    }

    protected override void OnMimePartContentRead(byte[] content, int startIndex, int count, CancellationToken cancellationToken)
    {
        if (Peek() is { HasNul: false } frame && content.AsSpan(startIndex, count).Contains((byte)0))
        {
            frame.HasNul = true;
        }

        _capture?.Append(content, startIndex, count, _bodyText);
    }

    protected override void OnMimePartEnd(ContentType contentType, long beginOffset, int beginLineNumber, long headersEndOffset, long endOffset, int lines, CancellationToken cancellationToken)
    {
        if (_capture is { } capture)
        {
            _capture = null;
            capture.Complete(_bodyText);
            if (capture.Preview is { Length: > 0 } preview)
            {
                if (capture.IsHtml)
                {
                    _htmlPreview ??= preview.ToString();
                }
                else
                {
                    _plainPreview ??= preview.ToString();
                }
            }
        }

        EndEntity(headersEndOffset, endOffset, lines);
    }

    protected override void OnMultipartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken)
        => BeginEntity(contentType, beginOffset);

    protected override void OnMultipartEnd(ContentType contentType, long beginOffset, int beginLineNumber, long headersEndOffset, long endOffset, int lines, CancellationToken cancellationToken)
        => EndEntity(headersEndOffset, endOffset, lines);

    protected override void OnMessagePartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken)
        => BeginEntity(contentType, beginOffset);

    protected override void OnMessagePartEnd(ContentType contentType, long beginOffset, int beginLineNumber, long headersEndOffset, long endOffset, int lines, CancellationToken cancellationToken)
        => EndEntity(headersEndOffset, endOffset, lines);

    private static ParserOptions CreateOptions(MailStoreLimits limits)
    {
        var options = ParserOptions.Default.Clone();
        // SECURITY.md C8: deeper nesting is treated as an opaque leaf, so recursion stays bounded.
        options.MaxMimeDepth = limits.MaxMimeDepth;
        return options;
    }

    private Frame BeginEntity(ContentType contentType, long beginOffset)
    {
        _partCount++;
        var dropped = _partCount > _limits.MaxMimeParts || (Peek()?.Dropped ?? false);
        if (dropped)
        {
            _clipped = true;
        }

        var headers = _pending;
        _pending = new HeaderBag();
        var frame = new Frame
        {
            Headers = headers,
            HeaderOffset = beginOffset,
            MediaType = (contentType.MediaType ?? "text").ToLowerInvariant(),
            MediaSubtype = (contentType.MediaSubtype ?? "plain").ToLowerInvariant(),
            ContentType = contentType,
            Dropped = dropped,
        };
        _stack.Add(frame);
        return frame;
    }

    private void EndEntity(long headersEndOffset, long endOffset, int lines)
    {
        var frame = Pop();
        if (frame is null || frame.IsMessage)
        {
            _clipped = true;
            return;
        }

        if (frame.Dropped)
        {
            return;
        }

        var part = BuildPart(frame, headersEndOffset, endOffset, lines);
        if (frame.HasNul && !part.IsMultipart && part.Message is null && part.TransferEncoding is "7BIT" or "8BIT" or "BINARY")
        {
            // RFC 3516 §6: such a part cannot be sent in a BODY[] literal (no NUL there); BinaryPartEncoder may re-encode it.
            _nulParts.Add(part);
        }

        var parent = Peek();
        if (parent is null)
        {
            _topBody ??= part;
        }
        else if (parent.IsMessage)
        {
            parent.MessageBody = part;
        }
        else if (!parent.Dropped)
        {
            parent.Children.Add(part);
        }
    }

    private static MessagePart BuildPart(Frame frame, long bodyOffset, long endOffset, int lines)
    {
        var parameters = new List<MimeParameter>();
        foreach (var p in frame.ContentType!.Parameters)
        {
            parameters.Add(new MimeParameter(p.Name, p.Value ?? string.Empty));
        }

        if (string.Equals(frame.MediaType, "text", StringComparison.Ordinal) && !parameters.Exists(p => string.Equals(p.Name, "charset", StringComparison.OrdinalIgnoreCase)))
        {
            // RFC 2045 §5.2: text without a charset is US-ASCII.
            parameters.Add(new MimeParameter("charset", "us-ascii"));
        }

        var headers = frame.Headers;
        string? disposition = null;
        var dispositionParameters = new List<MimeParameter>();
        if (headers.ContentDisposition is { } rawDisposition && ContentDisposition.TryParse(rawDisposition, out var parsedDisposition))
        {
            disposition = parsedDisposition.Disposition;
            foreach (var p in parsedDisposition.Parameters)
            {
                dispositionParameters.Add(new MimeParameter(p.Name, p.Value ?? string.Empty));
            }
        }

        var languages = new List<string>();
        if (headers.ContentLanguage is { } rawLanguage)
        {
            foreach (var tag in RawString(rawLanguage).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                languages.Add(tag);
            }
        }

        var encoding = headers.ContentTransferEncoding is { } rawEncoding ? RawString(rawEncoding).ToUpperInvariant() : "7BIT";

        // MimeKit reports the header of a part with nothing between two boundary lines, the first ending in a bare LF
        // ("--b\n--b\r\n"), as ending one octet before it begins: such a part is empty, its header included, where
        // its header would begin.
        bodyOffset = Math.Max(frame.HeaderOffset, bodyOffset);
        return new MessagePart
        {
            MediaType = frame.MediaType,
            MediaSubtype = frame.MediaSubtype,
            Parameters = parameters,
            ContentId = headers.ContentId is { } cid ? RawString(cid) : null,
            Description = headers.ContentDescription is { } description ? RawString(description) : null,
            TransferEncoding = encoding.Length == 0 ? "7BIT" : encoding,
            Md5 = headers.ContentMd5 is { } md5 ? RawString(md5) : null,
            Disposition = disposition,
            DispositionParameters = dispositionParameters,
            Languages = languages,
            Location = headers.ContentLocation is { } location ? RawString(location) : null,
            HeaderOffset = frame.HeaderOffset,
            BodyOffset = bodyOffset,
            EndOffset = Math.Max(bodyOffset, endOffset),

            // MimeKit reports -1 lines for an entity cut off by its parent's boundary right after its header (an
            // encapsulated multipart with no body before the outer "--b"): an empty body has no lines.
            Lines = Math.Max(0, lines),
            Parts = frame.Children,
            Envelope = frame.Envelope,
            Message = frame.MessageBody,
        };
    }

    private static MessageEnvelope BuildEnvelope(HeaderBag headers)
    {
        var from = Addresses(headers.From);
        var sender = Addresses(headers.Sender);
        var replyTo = Addresses(headers.ReplyTo);
        return new MessageEnvelope(
            headers.Date is { } date ? RawString(date) : null,
            headers.Subject is { } subject ? RawString(subject) : null,
            from,
            // RFC 9051 §7.5.2: absent or empty Sender and Reply-To take the value of From.
            sender.Count > 0 ? sender : from,
            replyTo.Count > 0 ? replyTo : from,
            Addresses(headers.To),
            Addresses(headers.Cc),
            Addresses(headers.Bcc),
            headers.InReplyTo is { } inReplyTo ? RawString(inReplyTo) : null,
            headers.MessageId is { } messageId ? RawString(messageId) : null);
    }

    private static List<EnvelopeAddress> Addresses(byte[]? raw)
    {
        var result = new List<EnvelopeAddress>();
        if (raw is null || !InternetAddressList.TryParse(ParserOptions.Default, raw, out var list))
        {
            return result;
        }

        foreach (var address in list)
        {
            if (result.Count >= MaxAddressesPerField)
            {
                break;
            }

            switch (address)
            {
                case MailboxAddress mailbox:
                    result.Add(ToEnvelope(mailbox));
                    break;
                case GroupAddress group:
                    // RFC 9051 §7.5.2: group start (NIL NIL name NIL), members, group end (NIL NIL NIL NIL).
                    result.Add(new EnvelopeAddress(null, null, EncodePhrase(group.Name) ?? string.Empty, null));
                    foreach (var member in group.Members.Mailboxes)
                    {
                        if (result.Count >= MaxAddressesPerField)
                        {
                            break;
                        }

                        result.Add(ToEnvelope(member));
                    }

                    result.Add(new EnvelopeAddress(null, null, null, null));
                    break;
            }
        }

        return result;
    }

    private static EnvelopeAddress ToEnvelope(MailboxAddress mailbox)
    {
        var route = mailbox.Route.Count > 0 ? "@" + string.Join(",@", mailbox.Route) : null;
        return new EnvelopeAddress(EncodePhrase(mailbox.Name), route, mailbox.LocalPart, mailbox.Domain ?? string.Empty);
    }

    private static string? EncodePhrase(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        foreach (var c in name)
        {
            if (c >= 0x80)
            {
                // Keep ENVELOPE strings 7-bit as they were sent: RFC 2047 encoded-words.
                return Encoding.ASCII.GetString(Rfc2047.EncodePhrase(Encoding.UTF8, name));
            }
        }

        return name;
    }

    private static void AddReferences(List<string> references, byte[]? raw)
    {
        if (raw is null)
        {
            return;
        }

        foreach (var id in MimeUtils.EnumerateReferences(raw, 0, raw.Length))
        {
            if (references.Count >= MaxReferences)
            {
                return;
            }

            references.Add(id);
        }
    }

    /// <summary>RFC 5256 §2.2: the normalized References ids, trimmed to <see cref="MimeIndexer.MaxThreadReferences"/>.</summary>
    private static IReadOnlyList<string> ThreadReferences(byte[]? raw)
    {
        if (raw is null)
        {
            return [];
        }

        // The whole value, not RawString's capped prefix: the ids that matter most are at the end.
        var ids = MessageIdParser.ParseAll(Decode(raw, raw.Length));
        if (ids.Count <= MimeIndexer.MaxThreadReferences)
        {
            return ids;
        }

        return [ids[0], .. ids.Skip(ids.Count - (MimeIndexer.MaxThreadReferences - 1))];
    }

    private static string Decode(byte[] raw, int length)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(raw, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.Latin1.GetString(raw, 0, length);
        }
    }

    private static string RawString(byte[] raw)
    {
        var text = Decode(raw, Math.Min(raw.Length, MaxCapturedHeaderValue));

        // RFC 5322 §2.2.3: unfolding removes the CRLF before folding whitespace.
        return text.Replace("\r\n", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal).Trim();
    }

    private static string MakePreview(string text)
    {
        var sb = new StringBuilder(MimeIndexer.MaxPreviewLength);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = sb.Length > 0;
                continue;
            }

            if (space)
            {
                if (sb.Length >= MimeIndexer.MaxPreviewLength)
                {
                    break;
                }

                sb.Append(' ');
                space = false;
            }

            if (sb.Length >= MimeIndexer.MaxPreviewLength || (char.IsHighSurrogate(c) && sb.Length + 1 >= MimeIndexer.MaxPreviewLength))
            {
                break;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    private Frame? Peek() => _stack.Count == 0 ? null : _stack[^1];

    private Frame? Pop()
    {
        if (_stack.Count == 0)
        {
            return null;
        }

        var frame = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return frame;
    }

    private sealed class Frame
    {
        public required HeaderBag Headers { get; init; }

        public bool IsMessage { get; init; }

        public long HeaderOffset { get; init; }

        public string MediaType { get; init; } = "text";

        public string MediaSubtype { get; init; } = "plain";

        public ContentType? ContentType { get; init; }

        public bool Dropped { get; init; }

        /// <summary>Whether the leaf part's content holds a NUL octet.</summary>
        public bool HasNul { get; set; }

        public List<MessagePart> Children { get; } = [];

        public MessageEnvelope? Envelope { get; set; }

        public MessagePart? MessageBody { get; set; }
    }

    /// <summary>The first occurrence of each header that indexing needs, as raw bytes.</summary>
    private sealed class HeaderBag
    {
        public byte[]? Date { get; private set; }

        public byte[]? Subject { get; private set; }

        public byte[]? From { get; private set; }

        public byte[]? Sender { get; private set; }

        public byte[]? ReplyTo { get; private set; }

        public byte[]? To { get; private set; }

        public byte[]? Cc { get; private set; }

        public byte[]? Bcc { get; private set; }

        public byte[]? InReplyTo { get; private set; }

        public byte[]? MessageId { get; private set; }

        public byte[]? References { get; private set; }

        public byte[]? ContentTransferEncoding { get; private set; }

        public byte[]? ContentId { get; private set; }

        public byte[]? ContentDescription { get; private set; }

        public byte[]? ContentDisposition { get; private set; }

        public byte[]? ContentLanguage { get; private set; }

        public byte[]? ContentLocation { get; private set; }

        public byte[]? ContentMd5 { get; private set; }

        public void Add(Header header)
        {
            // Only the first of each is kept: a flood of 500 000 To lines costs nothing more (SECURITY.md C8).
            var raw = header.RawValue;
            switch (header.Id)
            {
                case HeaderId.Date: Date ??= raw; break;
                case HeaderId.Subject: Subject ??= raw; break;
                case HeaderId.From: From ??= raw; break;
                case HeaderId.Sender: Sender ??= raw; break;
                case HeaderId.ReplyTo: ReplyTo ??= raw; break;
                case HeaderId.To: To ??= raw; break;
                case HeaderId.Cc: Cc ??= raw; break;
                case HeaderId.Bcc: Bcc ??= raw; break;
                case HeaderId.InReplyTo: InReplyTo ??= raw; break;
                case HeaderId.MessageId: MessageId ??= raw; break;
                case HeaderId.References: References ??= raw; break;
                case HeaderId.ContentTransferEncoding: ContentTransferEncoding ??= raw; break;
                case HeaderId.ContentId: ContentId ??= raw; break;
                case HeaderId.ContentDescription: ContentDescription ??= raw; break;
                case HeaderId.ContentDisposition: ContentDisposition ??= raw; break;
                case HeaderId.ContentLanguage: ContentLanguage ??= raw; break;
                case HeaderId.ContentLocation: ContentLocation ??= raw; break;
                case HeaderId.ContentMd5: ContentMd5 ??= raw; break;
                default: break;
            }
        }
    }

    /// <summary>
    /// The decoded text of one text/plain or text/html part, written into the message's body text as it arrives
    /// (plain) or at the part's end (HTML, whose visible text needs the whole markup), never more than the text cap.
    /// Plain text is decoded piece by piece into the body text's small chunks, so a large part costs no large
    /// buffer; the preview keeps only the part's first <see cref="PreviewSourceLength"/> characters.
    /// </summary>
    private sealed class TextCapture
    {
        /// <summary>Characters kept for the preview, enough for <see cref="MimeIndexer.MaxPreviewLength"/> after whitespace is folded.</summary>
        private const int PreviewSourceLength = 16 * 1024;

        private readonly IMimeDecoder? _transfer;
        private readonly QuotedPrintableBodyDecoder? _quotedPrintable;
        private readonly Encoding _encoding;
        private readonly Decoder _charset;
        private readonly ArrayBufferWriter<byte>? _markup;
        private readonly int _cap;

        // HTML only: most bytes of markup kept, four per character of room left (plain text stops when the body text
        // is full).
        private readonly int _budget;
        private readonly char[] _chars = new char[4096];
        private byte[] _decoded = [];
        private int _consumed;
        private bool _started;

        /// <param name="frame">The part.</param>
        /// <param name="contentType">Its Content-Type (the charset).</param>
        /// <param name="html">Whether it is text/html.</param>
        /// <param name="cap">Most characters of body text per message.</param>
        /// <param name="bodyLength">Characters of body text already taken by earlier parts.</param>
        /// <param name="preview">Where the start of the text goes for the preview, or null.</param>
        public TextCapture(Frame frame, ContentType contentType, bool html, int cap, int bodyLength, StringBuilder? preview)
        {
            IsHtml = html;
            Preview = preview;
            _cap = cap;
            _budget = html ? (int)Math.Min(int.MaxValue, Math.Max(0, cap - bodyLength) * 4L) : int.MaxValue;
            _markup = html ? new ArrayBufferWriter<byte>() : null;
            var encoding = frame.Headers.ContentTransferEncoding is { } raw ? RawString(raw).ToLowerInvariant() : string.Empty;
            // RFC 2045 §6.7: the same quoted-printable decoding as BINARY[], so soft breaks padded with whitespace
            // do not split words in the searchable text.
            _quotedPrintable = encoding == "quoted-printable" ? new QuotedPrintableBodyDecoder() : null;
            _transfer = encoding switch
            {
                "base64" => new Base64Decoder(),
                "x-uuencode" or "uuencode" => new UUDecoder(),
                _ => null,
            };
            Encoding? charset;
            try
            {
                charset = contentType.CharsetEncoding;
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
            {
                charset = null;
            }

            _encoding = charset ?? Encoding.UTF8;
            _charset = _encoding.GetDecoder();
        }

        public bool IsHtml { get; }

        /// <summary>The start of the part's text for the preview; null when an earlier part of the kind gave it.</summary>
        public StringBuilder? Preview { get; }

        /// <summary>Decodes a piece of the part's content; plain text goes straight into <paramref name="body"/>.</summary>
        public void Append(byte[] content, int start, int count, StringBuilder body)
        {
            if (_consumed >= _budget || body.Length >= _cap)
            {
                return;
            }

            ReadOnlySpan<byte> bytes = content.AsSpan(start, count);
            if (_quotedPrintable is not null)
            {
                EnsureDecodeBuffer(QuotedPrintableBodyDecoder.GetMaxOutputLength(count));
                bytes = _decoded.AsSpan(0, _quotedPrintable.Decode(bytes, _decoded));
            }
            else if (_transfer is not null)
            {
                EnsureDecodeBuffer(_transfer.EstimateOutputLength(count));
                bytes = _decoded.AsSpan(0, _transfer.Decode(content, start, count, _decoded));
            }

            Consume(bytes, body);
        }

        private void EnsureDecodeBuffer(int needed)
        {
            if (_decoded.Length < needed)
            {
                _decoded = new byte[Math.Max(needed, Math.Min(_budget, 4096))];
            }
        }

        private void Consume(ReadOnlySpan<byte> bytes, StringBuilder body)
        {
            if (_markup is not null)
            {
                // The markup is kept whole until the part ends: its budget is in bytes.
                bytes = bytes[..Math.Min(bytes.Length, _budget - _consumed)];
                _consumed += bytes.Length;
                _markup.Write(bytes);
                return;
            }

            while (!bytes.IsEmpty)
            {
                _charset.Convert(bytes, _chars, flush: false, out var used, out var produced, out _);
                bytes = bytes[used..];
                Write(body, _chars.AsSpan(0, produced));
            }
        }

        /// <summary>Ends the part: the last bytes of plain text are decoded, HTML is reduced to its visible text.</summary>
        public void Complete(StringBuilder body)
        {
            if (_quotedPrintable is not null && _consumed < _budget && body.Length < _cap)
            {
                // What the decoder held back at the end of the part (a malformed "=" stays, RFC 2045 §6.7 note 3).
                EnsureDecodeBuffer(QuotedPrintableBodyDecoder.GetMaxOutputLength(0));
                Consume(_decoded.AsSpan(0, _quotedPrintable.Flush(_decoded)), body);
            }

            if (_markup is null)
            {
                // An incomplete sequence at the end becomes U+FFFD, as decoding the whole text at once would give.
                _charset.Convert([], _chars, flush: true, out _, out var produced, out _);
                Write(body, _chars.AsSpan(0, produced));
                return;
            }

            Write(body, HtmlText.Extract(_encoding.GetString(_markup.WrittenSpan)));
        }

        private void Write(StringBuilder body, ReadOnlySpan<char> text)
        {
            if (text.IsEmpty)
            {
                return;
            }

            if (Preview is { } preview && preview.Length < PreviewSourceLength)
            {
                preview.Append(text[..Math.Min(text.Length, PreviewSourceLength - preview.Length)]);
            }

            if (!_started)
            {
                // Parts are separated by a line break in the searchable text.
                _started = true;
                if (body.Length > 0)
                {
                    body.Append('\n');
                }
            }

            var room = Math.Max(0, _cap - body.Length);
            body.Append(text[..Math.Min(text.Length, room)]);
        }
    }
}
