using System.Buffers;
using System.Text;
using MailHost.Protocols.Text;

namespace MailHost.Protocols.Pop3;

/// <summary>
/// Parses POP3 command lines (RFC 1939 §3, RFC 2449, RFC 2595, RFC 5034, RFC 6856) incrementally, one line per
/// call, with the line limits enforced here. Pure; never throws for client input. One instance per connection
/// (it remembers an over-long line being discarded); not thread-safe.
/// </summary>
/// <remarks>
/// Lines end only at CRLF; a CR or LF inside a line makes the whole line one error. Keywords are case-insensitive;
/// arguments are separated by single spaces; trailing spaces are ignored except in PASS, whose argument is the rest
/// of the line (RFC 1939 §7). Arguments may be UTF-8 (RFC 6856); control characters are refused.
/// </remarks>
public sealed class Pop3CommandParser
{
    private readonly CommandLineReader _lines;

    /// <summary>Creates a parser with the RFC limits.</summary>
    public Pop3CommandParser()
        : this(new Pop3ParserOptions())
    {
    }

    /// <summary>Creates a parser with the given limits.</summary>
    public Pop3CommandParser(Pop3ParserOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxCommandLineLength, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAuthResponseLength, 1);
        Options = options;
        _lines = new CommandLineReader(options.MaxCommandLineLength, options.MaxAuthResponseLength);
    }

    /// <summary>The limits in force.</summary>
    public Pop3ParserOptions Options { get; }

    /// <summary>Whether the rest of an over-long line is being discarded.</summary>
    public bool IsDiscardingLongLine => _lines.IsDiscardingLongLine;

    /// <summary>Forgets all state (after STLS).</summary>
    public void Reset() => _lines.Reset();

    /// <summary>Parses the next command line.</summary>
    /// <param name="buffer">Received bytes, starting where the previous call's <paramref name="consumed"/> ended.</param>
    /// <param name="consumed">Where to advance the pipe (see <see cref="Pop3ParseStatus"/>).</param>
    /// <param name="command">The command on <see cref="Pop3ParseStatus.Complete"/>.</param>
    /// <param name="error">The response to send on <see cref="Pop3ParseStatus.Error"/>.</param>
    public Pop3ParseStatus TryParseCommand(in ReadOnlySequence<byte> buffer, out SequencePosition consumed, out Pop3Command? command, out Pop3Response? error)
    {
        command = null;
        var status = _lines.TryReadCommand(buffer, out consumed, out var line);
        using (line)
        {
            error = status == CommandLineStatus.Complete ? ParseCommandLine(line.Text, out command) : Refusal(status, Pop3Responses.LineTooLong);
        }

        return status == CommandLineStatus.Incomplete ? Pop3ParseStatus.Incomplete
            : error is null ? Pop3ParseStatus.Complete
            : Pop3ParseStatus.Error;
    }

    /// <summary>
    /// Reads one line answering a <c>+</c> challenge (RFC 5034 §4), at most
    /// <see cref="Pop3ParserOptions.MaxAuthResponseLength"/> octets before CRLF.
    /// </summary>
    /// <param name="buffer">Received bytes.</param>
    /// <param name="consumed">As for <see cref="TryParseCommand"/>.</param>
    /// <param name="response">The line as sent (printable ASCII; <c>*</c> cancels).</param>
    /// <param name="error">The response to send on <see cref="Pop3ParseStatus.Error"/>.</param>
    public Pop3ParseStatus TryParseAuthResponse(in ReadOnlySequence<byte> buffer, out SequencePosition consumed, out string? response, out Pop3Response? error)
    {
        var status = _lines.TryReadAuthResponse(buffer, out consumed, out response);
        error = status == CommandLineStatus.Complete ? null : Refusal(status, Pop3Responses.AuthLineTooLong);
        return status == CommandLineStatus.Incomplete ? Pop3ParseStatus.Incomplete
            : error is null ? Pop3ParseStatus.Complete
            : Pop3ParseStatus.Error;
    }

    private static bool IsKeyword(ReadOnlySpan<byte> keyword, ReadOnlySpan<byte> name) => Ascii.EqualsIgnoreCase(keyword, name);

    /// <summary>The response to a line the framer refused; null while it is incomplete.</summary>
    private static Pop3Response? Refusal(CommandLineStatus status, Pop3Response tooLong) => status switch
    {
        CommandLineStatus.TooLong => tooLong,
        CommandLineStatus.BareLineEnding => Pop3Responses.BareLineEnding,
        CommandLineStatus.InvalidCharacter => Pop3Responses.InvalidCharacter,
        _ => null,
    };

    private Pop3Response? ParseCommandLine(ReadOnlySpan<byte> line, out Pop3Command? command)
    {
        command = null;
        var space = line.IndexOf((byte)' ');
        var keyword = space < 0 ? line : line[..space];
        var rawArguments = space < 0 ? default : line[(space + 1)..];
        if (IsKeyword(keyword, "PASS"u8))
        {
            // RFC 1939 §7: the argument is the rest of the line, spaces (even trailing ones) included. An empty
            // password ("PASS" or "PASS ") is passed on: some mobile clients send one before their saved password,
            // and the session refuses it like any empty password without counting it as an attack.
            command = new PassCommand(Encoding.UTF8.GetString(rawArguments));
            return null;
        }

        var arguments = rawArguments.TrimEnd((byte)' ');
        if (keyword.Length == 4)
        {
            if (IsKeyword(keyword, "USER"u8))
            {
                return OneString(arguments, static name => new UserCommand(name), out command);
            }

            if (IsKeyword(keyword, "STAT"u8))
            {
                return NoArguments(arguments, StatCommand.Instance, out command);
            }

            if (IsKeyword(keyword, "LIST"u8) || IsKeyword(keyword, "UIDL"u8))
            {
                var isList = keyword[0] is (byte)'L' or (byte)'l';
                if (arguments.IsEmpty)
                {
                    command = isList ? new ListCommand(null) : new UidlCommand(null);
                    return null;
                }

                var failure = ParseMessageNumber(arguments, out var number);
                command = failure is not null ? null : isList ? new ListCommand(number) : new UidlCommand(number);
                return failure;
            }

            if (IsKeyword(keyword, "RETR"u8) || IsKeyword(keyword, "DELE"u8))
            {
                var isRetr = keyword[0] is (byte)'R' or (byte)'r';
                var failure = ParseMessageNumber(arguments, out var number);
                command = failure is not null ? null : isRetr ? new RetrCommand(number) : new DeleCommand(number);
                return failure;
            }

            if (IsKeyword(keyword, "NOOP"u8))
            {
                return NoArguments(arguments, NoopCommand.Instance, out command);
            }

            if (IsKeyword(keyword, "RSET"u8))
            {
                return NoArguments(arguments, RsetCommand.Instance, out command);
            }

            if (IsKeyword(keyword, "QUIT"u8))
            {
                return NoArguments(arguments, QuitCommand.Instance, out command);
            }

            if (IsKeyword(keyword, "CAPA"u8))
            {
                return NoArguments(arguments, CapaCommand.Instance, out command);
            }

            if (IsKeyword(keyword, "STLS"u8))
            {
                return NoArguments(arguments, StlsCommand.Instance, out command);
            }

            if (IsKeyword(keyword, "UTF8"u8))
            {
                return NoArguments(arguments, Utf8Command.Instance, out command);
            }

            if (IsKeyword(keyword, "AUTH"u8))
            {
                return ParseAuth(arguments, out command);
            }

            if (IsKeyword(keyword, "APOP"u8))
            {
                var separator = arguments.IndexOf((byte)' ');
                if (separator <= 0 || arguments[(separator + 1)..].IsEmpty || arguments[(separator + 1)..].IndexOf((byte)' ') >= 0)
                {
                    return Pop3Responses.SyntaxError;
                }

                command = new ApopCommand(Encoding.UTF8.GetString(arguments[..separator]), Encoding.UTF8.GetString(arguments[(separator + 1)..]));
                return null;
            }
        }
        else if (keyword.Length == 3 && IsKeyword(keyword, "TOP"u8))
        {
            var separator = arguments.IndexOf((byte)' ');
            if (separator <= 0)
            {
                return Pop3Responses.SyntaxError;
            }

            var lines = 0;
            var failure = ParseMessageNumber(arguments[..separator], out var number);
            failure ??= ParseNumber(arguments[(separator + 1)..], allowZero: true, out lines);
            command = failure is null ? new TopCommand(number, lines) : null;
            return failure;
        }

        command = LineCommandSyntax.LooksLikeHttp(keyword, out var method) ? new HttpRequestCommand(method!) : new UnknownCommand(LineCommandSyntax.SanitizeVerb(keyword));
        return null;
    }

    private static Pop3Response? NoArguments(ReadOnlySpan<byte> arguments, Pop3Command instance, out Pop3Command? command)
    {
        command = arguments.IsEmpty ? instance : null;
        return arguments.IsEmpty ? null : Pop3Responses.NoArgumentsAllowed;
    }

    private static Pop3Response? OneString(ReadOnlySpan<byte> arguments, Func<string, Pop3Command> create, out Pop3Command? command)
    {
        command = null;
        if (arguments.IsEmpty || arguments.IndexOf((byte)' ') >= 0)
        {
            return Pop3Responses.SyntaxError;
        }

        command = create(Encoding.UTF8.GetString(arguments));
        return null;
    }

    private static Pop3Response? ParseMessageNumber(ReadOnlySpan<byte> text, out int number) =>
        ParseNumber(text, allowZero: false, out number);

    private static Pop3Response? ParseNumber(ReadOnlySpan<byte> text, bool allowZero, out int number)
    {
        // SECURITY T26: checked; a message number is 1..int.MaxValue (RFC 1939 §3), a TOP line count 0..int.MaxValue.
        number = 0;
        if (text.IsEmpty)
        {
            return Pop3Responses.SyntaxError;
        }

        long value = 0;
        foreach (var b in text)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                return Pop3Responses.InvalidMessageNumber;
            }

            value = (value * 10) + (b - '0');
            if (value > int.MaxValue)
            {
                return Pop3Responses.InvalidMessageNumber;
            }
        }

        if (value == 0 && !allowZero)
        {
            return Pop3Responses.InvalidMessageNumber;
        }

        number = (int)value;
        return null;
    }

    private Pop3Response? ParseAuth(ReadOnlySpan<byte> arguments, out Pop3Command? command)
    {
        command = null;
        if (arguments.IsEmpty)
        {
            // RFC 1734-style AUTH without a mechanism: the session lists the mechanisms.
            command = new AuthCommand(null, null);
            return null;
        }

        switch (LineCommandSyntax.TryParseAuthArguments(arguments, Options.MaxAuthResponseLength, out var mechanism, out var initialResponse))
        {
            case AuthArgumentsStatus.TooLong:
                return Pop3Responses.AuthLineTooLong;
            case AuthArgumentsStatus.Syntax:
                return Pop3Responses.SyntaxError;
            default:
                command = new AuthCommand(mechanism, initialResponse);
                return null;
        }
    }
}
