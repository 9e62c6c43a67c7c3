using System.Buffers;
using MailHost.Protocols.Smtp;
using MailHost.Protocols.Tests.Support;

namespace MailHost.Protocols.Tests.Smtp;

/// <summary>Feeds bytes to a <see cref="SmtpCommandParser"/> the way a pipe does and collects every result.</summary>
internal static class SmtpDriver
{
    /// <summary>Results: a <see cref="SmtpCommand"/> or a <see cref="SmtpReply"/> per line.</summary>
    public static List<object> Run(byte[] input, IEnumerable<int>? cuts = null, SmtpParserOptions? options = null, bool utf8Transaction = false)
    {
        var parser = new SmtpCommandParser(options ?? new SmtpParserOptions()) { IsUtf8Transaction = utf8Transaction };
        var results = new List<object>();
        var pending = new List<byte>();
        var start = 0;
        foreach (var cut in (cuts ?? []).Append(input.Length))
        {
            pending.AddRange(input.AsSpan(start, cut - start).ToArray());
            start = cut;
            Drain(parser, pending, results);
        }

        return results;
    }

    /// <summary>Runs the whole input once as one multi-segment buffer split at <paramref name="cut"/>.</summary>
    public static List<object> RunSplit(byte[] input, int cut, SmtpParserOptions? options = null)
    {
        var parser = new SmtpCommandParser(options ?? new SmtpParserOptions());
        var results = new List<object>();
        var buffer = ByteSequences.Split(input, cut);
        while (true)
        {
            var status = parser.TryParseCommand(buffer, out var consumed, out var command, out var error);
            buffer = buffer.Slice(consumed);
            if (status == SmtpParseStatus.Incomplete)
            {
                return results;
            }

            results.Add(status == SmtpParseStatus.Complete ? command! : error!);
        }
    }

    private static void Drain(SmtpCommandParser parser, List<byte> pending, List<object> results)
    {
        while (true)
        {
            var buffer = new ReadOnlySequence<byte>(pending.ToArray());
            var wasDiscarding = parser.IsDiscardingLongLine;
            var status = parser.TryParseCommand(buffer, out var consumed, out var command, out var error);
            var used = buffer.Slice(0, consumed).Length;
            if (status == SmtpParseStatus.Incomplete && !wasDiscarding)
            {
                used.Should().Be(0, "Incomplete consumes nothing");
            }

            pending.RemoveRange(0, (int)used);
            switch (status)
            {
                case SmtpParseStatus.Complete:
                    command.Should().NotBeNull();
                    error.Should().BeNull();
                    results.Add(command);
                    break;
                case SmtpParseStatus.Error:
                    error.Should().NotBeNull();
                    command.Should().BeNull();
                    results.Add(error);
                    break;
                default:
                    return;
            }
        }
    }
}
