using MailHost.Protocols.Pop3;

namespace MailHost.Fuzz.Targets;

/// <summary>
/// <see cref="Pop3CommandParser"/> fed as <c>Pop3Session</c> feeds it: command lines, and after AUTH without an
/// initial response the answer lines of the SASL exchange (RFC 5034 §4).
/// </summary>
/// <remarks>
/// Invariants: whole and cut input give the same events; a parsed line never exceeds
/// <see cref="Pop3ParserOptions.MaxCommandLineLength"/> (AUTH: the mechanism plus
/// <see cref="Pop3ParserOptions.MaxAuthResponseLength"/>); an answer never exceeds the SASL limit; error responses are
/// one line of printable text.
/// </remarks>
internal static class Pop3CommandTarget
{
    private static readonly Pop3ParserOptions Options = new() { MaxAuthResponseLength = 256 };

    public static void Run(byte[] data)
    {
        var whole = Feed(data, Sequences.Whole(data.Length));
        var cut = Feed(data, Sequences.CutPoints(data.Length));
        LineCommandRun.CheckSame(whole, cut);
    }

    private static List<string> Feed(byte[] data, int[] cuts)
    {
        var parser = new Pop3CommandParser(Options);
        var events = new List<string>();
        var authAnswers = 0;
        LineCommandRun.Run(data, cuts, (buffer, isFinal) =>
        {
            if (authAnswers > 0)
            {
                var status = parser.TryParseAuthResponse(buffer, out var end, out var response, out var error);
                var consumed = buffer.Slice(0, end).Length;
                if (status == Pop3ParseStatus.Incomplete)
                {
                    return (true, consumed, false);
                }

                if (status == Pop3ParseStatus.Complete)
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
                case Pop3ParseStatus.Incomplete:
                    return (true, length, false);
                case Pop3ParseStatus.Error:
                    events.Add($"Error {commandError}");
                    LineCommandRun.CheckReplyText(commandError!.Text);
                    FuzzInvariantException.Check(!commandError.IsOk, "An error response that says +OK");
                    return (false, length, false);
            }

            events.Add($"Command {command}");
            var limit = command is AuthCommand
                ? Math.Max(Options.MaxCommandLineLength, "AUTH ".Length + 20 + 1 + Options.MaxAuthResponseLength + 2)
                : Options.MaxCommandLineLength;
            FuzzInvariantException.Check(length <= limit, $"{command} line of {length} bytes over its limit {limit}");
            if (command is AuthCommand { Mechanism: not null } auth)
            {
                authAnswers = auth.InitialResponse is null ? 2 : 1;
            }

            return (false, length, command is QuitCommand);
        });
        return events;
    }
}
