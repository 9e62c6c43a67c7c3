using System.Buffers;
using BenchmarkDotNet.Attributes;
using MailHost.Protocols.Imap;

namespace MailHost.Benchmarks;

/// <summary>
/// IMAP command parsing per command line, with one parser reused as a connection would: the allocations shown
/// should be the command record and its contents only (strings, lists), never the parser's buffers.
/// </summary>
[MemoryDiagnoser]
public class ImapParserBenchmarks
{
    private readonly ImapCommandParser _parser = new() { IsAuthenticated = true };
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private readonly ImapResponseWriter _writer;
    private readonly ReadOnlySequence<byte> _fetch =
        new("A654 UID FETCH 1:*,5000:6000 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (DATE FROM SUBJECT TO CC MESSAGE-ID)]) (CHANGEDSINCE 12345)\r\n"u8.ToArray());
    private readonly ReadOnlySequence<byte> _search =
        new("A282 UID SEARCH RETURN (MIN COUNT) CHARSET UTF-8 OR FLAGGED (SINCE 1-Feb-1994 NOT FROM \"Smith\") UNDELETED\r\n"u8.ToArray());
    private readonly ReadOnlySequence<byte> _store = new("A003 UID STORE 2:4,9 +FLAGS.SILENT (\\Deleted \\Seen)\r\n"u8.ToArray());
    private readonly ReadOnlySequence<byte> _append =
        new("A003 APPEND saved-messages (\\Seen) \"05-Jan-1994 02:04:09 -0800\" {23+}\r\nDate: Mon, 7 Feb 1994\r\n\r\n"u8.ToArray());

    public ImapParserBenchmarks() => _writer = new ImapResponseWriter(_output);

    [Benchmark]
    public ImapCommand? Fetch() => Parse(_fetch);

    [Benchmark]
    public ImapCommand? Search() => Parse(_search);

    [Benchmark]
    public ImapCommand? Store() => Parse(_store);

    [Benchmark]
    public ImapCommand? Append()
    {
        var reader = new SequenceReader<byte>(_append);
        _parser.TryParse(ref reader, out _, out _);
        reader.Advance(_parser.PendingAppend!.Size);
        _parser.CompleteAppendLiteral();
        _parser.TryParse(ref reader, out var command, out _);
        return command;
    }

    [Benchmark]
    public int WriteFetchResponse()
    {
        _output.ResetWrittenCount();
        var fetch = new ImapFetchResponse(_writer, 12);
        fetch.Uid(4827313);
        fetch.Flags("\\Seen \\Answered"u8, Keywords);
        fetch.InternalDate(Date);
        fetch.BeginSection(SubjectSection, null);
        _writer.WriteString("Subject: Re: the quarterly \"numbers\"\r\n\r\n");
        fetch.End();
        return _output.WrittenCount;
    }

    private static readonly string[] Keywords = ["$Forwarded"];

    private static readonly ImapSection SubjectSection = new([], ImapSectionKind.HeaderFields, ["SUBJECT"]);

    private static readonly DateTimeOffset Date = new(1996, 7, 17, 2, 44, 25, TimeSpan.FromHours(-7));

    private ImapCommand? Parse(ReadOnlySequence<byte> line)
    {
        var reader = new SequenceReader<byte>(line);
        _parser.TryParse(ref reader, out var command, out _);
        return command;
    }
}
