using System.Buffers;
using System.Text;
using MailHost.Protocols.Imap;
using MailHost.Protocols.Sasl;

namespace MailHost.Fuzz.Targets;

/// <summary>
/// <see cref="ImapCommandParser"/> fed as <c>ImapSession</c> feeds it: every buffered byte offered, continuations
/// served, APPEND literals streamed past the parser (accepted, or refused and dropped), AUTHENTICATE answers and IDLE's
/// DONE read with the parser's static line readers. Each input runs four ways (logged out and logged in with UTF8=ACCEPT,
/// each whole and cut into small segments).
/// </summary>
/// <remarks>
/// Invariants: both splits give the same events (the parser's "any split gives the same results"); a tag is never longer
/// than <see cref="ImapParserOptions.MaxTagLength"/>; the bytes of one command other than streamed APPEND data stay
/// within the line and literal limits; a sequence set or mailbox name written back with <see cref="ImapResponseWriter"/>
/// parses to the same value; the parser throws nothing.
/// </remarks>
internal static class ImapCommandTarget
{
    /// <summary>Small limits, so that inputs of a few hundred bytes reach every limit check.</summary>
    private static ImapParserOptions Options(bool literalMinus) => new()
    {
        MaxLineLength = 512,
        MaxLiteralSizeUnauthenticated = 64,
        MaxLiteralSize = 256,
        MaxAppendSize = 2048,
        MaxLiteralBytesPerCommand = 512,
        MaxAppendMessages = 4,
        MaxNestingDepth = 8,
        MaxTagLength = 16,
        LiteralMinus = literalMinus,
    };

    public static void Run(byte[] data)
    {
        foreach (var authenticated in (bool[])[false, true])
        {
            var whole = Feed(data, Sequences.Whole(data.Length), authenticated, command => RoundTrip(command, authenticated));
            var cut = Feed(data, Sequences.CutPoints(data.Length), authenticated);
            if (!whole.SequenceEqual(cut))
            {
                var at = whole.Zip(cut).TakeWhile(p => p.First == p.Second).Count();
                throw new FuzzInvariantException(
                    $"Whole and cut input parse differently (authenticated={authenticated}) at event {at}: " +
                    $"'{whole.ElementAtOrDefault(at)}' vs '{cut.ElementAtOrDefault(at)}'");
            }
        }
    }

    /// <summary>Parses one input as a session would and returns what happened, one line per event.</summary>
    internal static List<string> Feed(byte[] data, int[] cuts, bool authenticated, Action<ImapCommand>? onCommand = null)
    {
        var options = Options(literalMinus: authenticated);
        var parser = new ImapCommandParser(options) { IsAuthenticated = authenticated, Utf8Enabled = authenticated };
        var events = new List<string>();
        var position = 0;
        var available = Sequences.NextCut(cuts, 0, data.Length);
        var commandStart = 0;
        long streamed = 0;
        string? pendingLine = null;
        var pendingTag = string.Empty;
        var appendIndex = 0;

        while (true)
        {
            var buffer = Sequences.Slice(data, position, available, cuts);
            if (pendingLine is not null)
            {
                var reader = new SequenceReader<byte>(buffer);
                var lineStatus = ReadPendingLine(ref reader, pendingLine, pendingTag, out var lineEvent);
                position += (int)reader.Consumed;
                if (lineStatus == ImapParseStatus.Incomplete)
                {
                    if (available == data.Length)
                    {
                        return events;
                    }

                    available = Sequences.NextCut(cuts, available, data.Length);
                    continue;
                }

                events.Add(lineEvent);
                pendingLine = null;
                if (lineEvent.Contains("Close", StringComparison.Ordinal))
                {
                    return events;
                }

                commandStart = position;
                continue;
            }

            var sequenceReader = new SequenceReader<byte>(buffer);
            var status = parser.TryParse(ref sequenceReader, out var command, out var error);
            position += (int)sequenceReader.Consumed;
            switch (status)
            {
                case ImapParseStatus.Complete:
                    events.Add($"Complete {Describe(command!)}");
                    CheckCommandBytes(data, commandStart, position, streamed, options, command!);
                    onCommand?.Invoke(command!);
                    commandStart = position;
                    streamed = 0;
                    appendIndex = 0;
                    (pendingLine, pendingTag) = command switch
                    {
                        AuthenticateCommand { InitialResponse: null } a => ("AUTHENTICATE", a.Tag),
                        IdleCommand i => ("IDLE", i.Tag),
                        _ => (null, string.Empty),
                    };
                    break;
                case ImapParseStatus.Error:
                    events.Add($"Error {error}");
                    FuzzInvariantException.Check(error!.Tag is null || error.Tag.Length <= options.MaxTagLength, $"Error tag longer than the limit: {error.Tag}");
                    if (error.Resync == ImapResync.Close)
                    {
                        return events;
                    }

                    commandStart = position;
                    streamed = 0;
                    break;
                case ImapParseStatus.ContinuationNeeded:
                    events.Add($"Continuation {parser.PendingLiteralSize}");
                    FuzzInvariantException.Check(
                        parser.PendingLiteralSize <= Math.Max(options.MaxLiteralSize, options.MaxLiteralSizeUnauthenticated),
                        $"Continuation offered for a literal over the limit: {parser.PendingLiteralSize}");
                    break;
                case ImapParseStatus.AppendLiteral:
                {
                    var message = parser.PendingAppend!;
                    events.Add($"Append {message}");
                    FuzzInvariantException.Check(message.Size <= options.MaxAppendSize, $"APPEND literal over MaxAppendSize: {message.Size}");
                    FuzzInvariantException.Check(message.Index < options.MaxAppendMessages, $"APPEND message index over MaxAppendMessages: {message.Index}");

                    // The session refuses some messages (no such mailbox, over quota): refuse every third.
                    if (appendIndex++ % 3 == 2)
                    {
                        parser.RejectLiteral();
                        events.Add("Rejected");
                        commandStart = position;
                        streamed = 0;
                        break;
                    }

                    // The session streams exactly Size bytes from the input to the store; a client that stops early
                    // ends the connection.
                    if (data.Length - position < message.Size)
                    {
                        return events;
                    }

                    position += (int)message.Size;
                    streamed += message.Size;
                    parser.CompleteAppendLiteral();
                    available = Math.Max(available, position);
                    break;
                }

                default:
                    FuzzInvariantException.Check(position == available, "Incomplete left offered bytes unread");
                    if (available == data.Length)
                    {
                        return events;
                    }

                    available = Sequences.NextCut(cuts, available, data.Length);
                    break;
            }
        }
    }

    /// <summary>
    /// A parsed sequence set and mailbox name, written back as the server writes them, parse to the same value: what the
    /// server sends, a client can send back (RFC 9051 §9: sequence-set, mailbox).
    /// </summary>
    private static void RoundTrip(ImapCommand command, bool utf8)
    {
        if (command.GetType().GetProperty("Set")?.GetValue(command) is ImapSequenceSet { IsSavedResult: false, Ranges.Count: > 0 } set)
        {
            var written = Written(w => w.WriteSequenceSet(set), utf8);
            var again = ParseOne([.. "r FETCH "u8, .. written, .. " FLAGS\r\n"u8], utf8);
            FuzzInvariantException.Check(
                again is FetchCommand f && f.Set.Ranges.SequenceEqual(set.Ranges),
                $"Sequence set {set} written as '{Encoding.ASCII.GetString(written)}' parses as {again}");
        }

        if (command.GetType().GetProperty("Mailbox")?.GetValue(command) is string mailbox && !ImapMailboxName.IsUndecodable(mailbox))
        {
            var written = Written(w => w.WriteMailbox(mailbox), utf8);
            var again = ParseOne([.. "r SELECT "u8, .. written, .. "\r\n"u8], utf8);
            FuzzInvariantException.Check(
                again is null || (again is SelectCommand s && s.Mailbox == mailbox),
                $"Mailbox '{mailbox}' written as '{Encoding.UTF8.GetString(written)}' parses as {again}");
        }
    }

    /// <summary>The one command in <paramref name="line"/>; null when it was refused as too long (a limit, not a round-trip failure).</summary>
    private static ImapCommand? ParseOne(byte[] line, bool authenticated)
    {
        ImapCommand? parsed = null;
        var events = Feed(line, Sequences.Whole(line.Length), authenticated, c => parsed = c);
        if (parsed is null && events.Any(e => e.Contains("TOOBIG", StringComparison.Ordinal)))
        {
            return null;
        }

        return parsed ?? throw new FuzzInvariantException($"Written value did not parse: {Encoding.UTF8.GetString(line)} -> {string.Join(" | ", events)}");
    }

    /// <summary>The line after AUTHENTICATE (a SASL answer) or IDLE (DONE), read with the parser's static readers.</summary>
    private static ImapParseStatus ReadPendingLine(ref SequenceReader<byte> reader, string kind, string tag, out string description)
    {
        ImapParseStatus status;
        ImapParseError? error;
        if (kind == "IDLE")
        {
            status = ImapCommandParser.TryParseIdleDone(ref reader, tag, out error);
            description = $"Done {status} {error}";
            return status;
        }

        var line = new byte[SaslWireFormat.MaxResponseLength];
        status = ImapCommandParser.TryParseAuthenticateResponse(ref reader, tag, line, out var written, out error);
        if (status == ImapParseStatus.Complete)
        {
            FuzzInvariantException.Check(written <= line.Length, "AUTHENTICATE answer longer than its buffer");
            var decoded = new byte[SaslWireFormat.MaxDecodedLength];
            var ok = SaslWireFormat.TryDecodeResponse(line.AsSpan(0, written), isInitialResponse: false, decoded, out var length, out var failure);
            description = $"Answer {written} {ok} {length} {failure}";
        }
        else
        {
            description = $"Answer {status} {error}";
        }

        return status;
    }

    /// <summary>
    /// The bytes of a command other than streamed APPEND data: each line fragment is at most MaxLineLength and its
    /// literals together at most MaxLiteralBytesPerCommand (RFC 9051 §4.3 leaves both to the server).
    /// </summary>
    private static void CheckCommandBytes(byte[] data, int start, int end, long streamed, ImapParserOptions options, ImapCommand command)
    {
        FuzzInvariantException.Check(command.Tag.Length <= options.MaxTagLength, $"Tag longer than the limit: {command.Tag}");
        var span = data.AsSpan(start, end - start);
        var fragments = 1 + span.Count("}\r\n"u8);
        var bound = ((long)fragments * options.MaxLineLength) + options.MaxLiteralBytesPerCommand + streamed;
        FuzzInvariantException.Check(span.Length <= bound, $"Command of {span.Length} bytes exceeds the limits ({bound})");
    }

    /// <summary>A command as text: the record's own text, with the parts a record prints only as a type name spelled out.</summary>
    internal static string Describe(ImapCommand command) => command switch
    {
        FetchCommand f => $"{f} set={f.Set} items={string.Join(',', f.Items)}",
        StoreCommand s => $"{s} set={s.Set} flags={string.Join(',', s.Flags)}",
        ListCommand l => $"{l} patterns={string.Join(',', l.Patterns)}",
        AppendCommand a => $"{a} messages={string.Join(',', a.Messages)}",
        SearchCommand s => $"{s} criteria={s.Criteria}",
        _ => command.ToString(),
    };

    /// <summary>What <paramref name="write"/> writes, as bytes.</summary>
    internal static byte[] Written(Action<ImapResponseWriter> write, bool utf8)
    {
        var output = new ArrayBufferWriter<byte>();
        write(new ImapResponseWriter(output) { Utf8Enabled = utf8 });
        return output.WrittenSpan.ToArray();
    }

    internal static byte[] Ascii(string text) => Encoding.UTF8.GetBytes(text);
}
