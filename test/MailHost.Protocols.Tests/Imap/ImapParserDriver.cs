using System.Buffers;
using System.Text;
using MailHost.Protocols.Imap;
using MailHost.Protocols.Tests.Support;

namespace MailHost.Protocols.Tests.Imap;

/// <summary>What the parser reported, in order.</summary>
internal abstract record ParserEvent;

internal sealed record CommandEvent(ImapCommand Command) : ParserEvent;

internal sealed record ErrorEvent(ImapParseError Error) : ParserEvent;

internal sealed record ContinuationEvent(long Size) : ParserEvent;

internal sealed record AppendEvent(ImapAppendMessage Message, string Data) : ParserEvent;

/// <summary>
/// Plays the session: delivers the input in the given chunks, calls the parser until it needs more, sends nothing but
/// records continuations, and streams APPEND literals (recording their bytes) before completing them.
/// </summary>
internal static class ImapParserDriver
{
    public static List<ParserEvent> Run(byte[] input, IEnumerable<int> chunkEnds, ImapCommandParser parser, Func<ImapAppendMessage, bool>? acceptAppend = null)
    {
        var events = new List<ParserEvent>();
        var consumed = 0;
        long appendRemaining = 0;
        var appendData = new List<byte>();
        ImapAppendMessage? append = null;
        foreach (var received in chunkEnds.Append(input.Length).Distinct().Order())
        {
            while (true)
            {
                if (append is not null)
                {
                    var take = (int)Math.Min(appendRemaining, received - consumed);
                    appendData.AddRange(input.AsSpan(consumed, take).ToArray());
                    consumed += take;
                    appendRemaining -= take;
                    if (appendRemaining > 0)
                    {
                        break;
                    }

                    events.Add(new AppendEvent(append, Encoding.Latin1.GetString(appendData.ToArray())));
                    appendData.Clear();
                    append = null;
                    parser.CompleteAppendLiteral();
                }

                var sequence = ByteSequences.Split(input.AsSpan(consumed, received - consumed));
                var reader = new SequenceReader<byte>(sequence);
                var status = parser.TryParse(ref reader, out var command, out var error);
                consumed += (int)reader.Consumed;
                switch (status)
                {
                    case ImapParseStatus.Incomplete:
                        reader.End.Should().BeTrue("Incomplete consumes every byte offered");
                        goto nextChunk;
                    case ImapParseStatus.Complete:
                        events.Add(new CommandEvent(command!));
                        break;
                    case ImapParseStatus.Error:
                        events.Add(new ErrorEvent(error!));
                        if (error!.Resync == ImapResync.Close)
                        {
                            return events;
                        }

                        break;
                    case ImapParseStatus.ContinuationNeeded:
                        events.Add(new ContinuationEvent(parser.PendingLiteralSize));
                        break;
                    case ImapParseStatus.AppendLiteral:
                        var message = parser.PendingAppend!;
                        if (acceptAppend is not null && !acceptAppend(message))
                        {
                            events.Add(new AppendEvent(message, "<rejected>"));
                            parser.RejectLiteral();
                            break;
                        }

                        append = message;
                        appendRemaining = message.Size;
                        break;
                }
            }

        nextChunk:;
        }

        return events;
    }

    public static List<ParserEvent> Whole(string input, ImapParserOptions? options = null, bool authenticated = true, bool utf8 = false) =>
        Run(Encoding.UTF8.GetBytes(input), [], NewParser(options, authenticated, utf8));

    public static ImapCommandParser NewParser(ImapParserOptions? options = null, bool authenticated = true, bool utf8 = false) =>
        new(options) { IsAuthenticated = authenticated, Utf8Enabled = utf8 };

    /// <summary>Runs whole, one byte at a time, and split at every point; asserts all runs agree and returns the events.</summary>
    public static List<ParserEvent> AllSplits(string input, ImapParserOptions? options = null, bool authenticated = true, bool utf8 = false)
    {
        var bytes = Encoding.UTF8.GetBytes(input);
        var whole = Run(bytes, [], NewParser(options, authenticated, utf8));
        var oneByte = Run(bytes, Enumerable.Range(1, bytes.Length), NewParser(options, authenticated, utf8));
        oneByte.Should().BeEquivalentTo(whole, o => o.RespectingRuntimeTypes().WithStrictOrdering(), "one byte at a time");
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var split = Run(bytes, [cut], NewParser(options, authenticated, utf8));
            split.Should().BeEquivalentTo(whole, o => o.RespectingRuntimeTypes().WithStrictOrdering(), $"split at {cut}");
        }

        return whole;
    }
}
