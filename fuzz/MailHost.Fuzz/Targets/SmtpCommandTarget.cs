using System.Buffers;
using MailHost.Protocols.Smtp;
using MailHost.Protocols.Text;

namespace MailHost.Fuzz.Targets;

/// <summary>
/// <see cref="SmtpCommandParser"/> fed as <c>SmtpSession</c> feeds it: commands; after AUTH without an initial response,
/// answer lines until the exchange would end; after DATA, the content through <see cref="DotUnstuffer"/> to CRLF.CRLF;
/// after BDAT, its chunk; SMTPUTF8 on MAIL switches the transaction to UTF-8 until RSET.
/// </summary>
/// <remarks>
/// Invariants: whole and cut input give the same events; a parsed line never exceeds its limit (MAIL/RCPT
/// <see cref="SmtpParserOptions.MaxParameterLineLength"/>, AUTH the mechanism plus
/// <see cref="SmtpParserOptions.MaxAuthResponseLength"/>, others <see cref="SmtpParserOptions.MaxCommandLineLength"/>);
/// an AUTH answer never exceeds <see cref="SmtpParserOptions.MaxAuthResponseLength"/>; BDAT sizes respect
/// <see cref="SmtpParserOptions.MaxMessageSize"/>; error replies are one line of printable text.
/// </remarks>
internal static class SmtpCommandTarget
{
    private static readonly SmtpParserOptions Options = new()
    {
        MaxCommandLineLength = SmtpParserOptions.RfcMaxCommandLineLength,
        MaxParameterLineLength = 1024,
        MaxAuthResponseLength = 256,
        MaxMessageSize = 4096,
    };

    public static void Run(byte[] data)
    {
        var whole = Feed(data, Sequences.Whole(data.Length));
        var cut = Feed(data, Sequences.CutPoints(data.Length));
        LineCommandRun.CheckSame(whole, cut);
    }

    private static List<string> Feed(byte[] data, int[] cuts)
    {
        var parser = new SmtpCommandParser(Options);
        var events = new List<string>();
        var authAnswers = 0;
        DotUnstuffer? unstuffer = null;
        var output = new ArrayBufferWriter<byte>();
        long chunk = 0;
        LineCommandRun.Run(data, cuts, (buffer, isFinal) =>
        {
            if (chunk > 0)
            {
                var take = Math.Min(chunk, buffer.Length);
                chunk -= take;
                return (chunk > 0, take, false);
            }

            if (unstuffer is not null)
            {
                var status = unstuffer.Unstuff(buffer, output, out var end);
                var consumed = buffer.Slice(0, end).Length;
                if (status == DotUnstuffStatus.NeedMoreData)
                {
                    FuzzInvariantException.Check(consumed == buffer.Length, "DATA content left unconsumed while incomplete");
                    return (true, consumed, false);
                }

                // A refused message's length is how much was written before the refusal, which depends on where the
                // reads cut the input (DotUnstuffer.MessageLength stops at the error); the session drops it, so only
                // the error is compared then.
                events.Add(unstuffer.Error == DotUnstuffError.None ? $"Data {unstuffer.MessageLength}" : $"Data {unstuffer.Error}");
                unstuffer = null;
                return (false, consumed, false);
            }

            if (authAnswers > 0)
            {
                var status = parser.TryParseAuthResponse(buffer, out var end, out var response, out var error);
                var consumed = buffer.Slice(0, end).Length;
                if (status == SmtpParseStatus.Incomplete)
                {
                    return (true, consumed, false);
                }

                if (status == SmtpParseStatus.Complete)
                {
                    FuzzInvariantException.Check(response!.Length <= Options.MaxAuthResponseLength, $"AUTH answer of {response.Length} characters");
                    events.Add($"Answer {response.Length}");
                    authAnswers = response == "*" ? 0 : authAnswers - 1;
                }
                else
                {
                    events.Add($"AnswerError {error}");
                    LineCommandRun.CheckReplyText(error!.Text);
                    authAnswers = 0;
                }

                return (false, consumed, false);
            }

            var commandStatus = parser.TryParseCommand(buffer, out var position, out var command, out var commandError);
            var length = buffer.Slice(0, position).Length;
            switch (commandStatus)
            {
                case SmtpParseStatus.Incomplete:
                    return (true, length, false);
                case SmtpParseStatus.Error:
                    events.Add($"Error {commandError}");
                    LineCommandRun.CheckReplyText(commandError!.Text);
                    FuzzInvariantException.Check(commandError.Code is >= 400 and < 600, $"Error reply code {commandError.Code}");
                    return (false, length, false);
            }

            events.Add($"Command {command}");
            var limit = command switch
            {
                MailCommand or RcptCommand => Options.MaxParameterLineLength,
                AuthCommand => Math.Max(Options.MaxCommandLineLength, "AUTH ".Length + 20 + 1 + Options.MaxAuthResponseLength + 2),
                _ => Options.MaxCommandLineLength,
            };
            FuzzInvariantException.Check(length <= limit, $"{command!.Kind} line of {length} bytes over its limit {limit}");
            switch (command)
            {
                case MailCommand mail:
                    parser.IsUtf8Transaction = mail.SmtpUtf8;
                    break;
                case RsetCommand:
                    parser.IsUtf8Transaction = false;
                    break;
                case AuthCommand auth:
                    FuzzInvariantException.Check(auth.InitialResponse is null || auth.InitialResponse.Length <= Options.MaxAuthResponseLength, "AUTH initial response over the limit");

                    // PLAIN, LOGIN and SCRAM take at most two answers; the session ends the exchange after that.
                    authAnswers = auth.InitialResponse is null ? 2 : 1;
                    break;
                case DataCommand:
                    unstuffer = new DotUnstuffer(new DotUnstufferOptions { MaxMessageSize = Options.MaxMessageSize });
                    output.Clear();
                    break;
                case BdatCommand bdat:
                    FuzzInvariantException.Check(bdat.ChunkSize >= 0 && bdat.ChunkSize <= Options.MaxMessageSize, $"BDAT size {bdat.ChunkSize} passed the parser");
                    chunk = bdat.ChunkSize;
                    break;
            }

            return (false, length, command is QuitCommand);
        });
        return events;
    }
}
