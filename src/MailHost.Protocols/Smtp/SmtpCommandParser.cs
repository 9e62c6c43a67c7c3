using System.Buffers;
using System.Text;
using MailHost.Protocols.Text;

namespace MailHost.Protocols.Smtp;

/// <summary>
/// Parses SMTP command lines (RFC 5321 §4.1) incrementally from the bytes a pipe hands over, one line per call,
/// with every limit enforced here. Pure: no I/O, never throws for client input. One instance per connection
/// (it remembers an over-long line being discarded and the transaction's SMTPUTF8 state); not thread-safe.
/// </summary>
/// <remarks>
/// <para>Framing: a line ends only at CRLF (RFC 5321 §2.3.8). A CR or LF anywhere else in the line makes the whole
/// line (up to the CRLF) one error, so one line never yields two commands (SECURITY B2). A client that ends lines
/// with bare LF gets no reply until a CRLF arrives or the line limit is reached.</para>
/// <para>Limits (CRLF included): <see cref="SmtpParserOptions.MaxParameterLineLength"/> for lines starting with
/// <c>MAIL </c> or <c>RCPT </c>, room for a <see cref="SmtpParserOptions.MaxAuthResponseLength"/> initial response
/// for <c>AUTH </c>, <see cref="SmtpParserOptions.MaxCommandLineLength"/> for everything else. A longer line is an
/// <see cref="SmtpParseStatus.Error"/> with <c>500 5.5.2 Line too long</c>; when its CRLF has not arrived yet, the
/// bytes so far are consumed and the rest of the line is discarded by the following calls.</para>
/// <para>Leniencies, each for real clients: trailing spaces on a line are ignored; a space after <c>FROM:</c> and
/// <c>TO:</c> is accepted (old Outlook Express and many scripts); several spaces between parameters are accepted;
/// an EHLO/HELO argument that is not a valid domain is accepted and reported as <see cref="SmtpIdentityKind.Other"/>.</para>
/// </remarks>
public sealed class SmtpCommandParser
{
    // RFC 3461 §4.4: "The ENVID ... MUST NOT exceed 100 characters"; §4.2: ORCPT at most 500.
    private const int MaxEnvelopeIdLength = 100;
    private const int MaxOriginalRecipientLength = 500;

    private readonly CommandLineReader _lines;

    /// <summary>Creates a parser with default options (RFC limits, every extension offered).</summary>
    public SmtpCommandParser()
        : this(new SmtpParserOptions())
    {
    }

    /// <summary>Creates a parser with the given options.</summary>
    public SmtpCommandParser(SmtpParserOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxCommandLineLength, SmtpParserOptions.RfcMaxCommandLineLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxParameterLineLength, options.MaxCommandLineLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAuthResponseLength, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxMessageSize);
        Options = options;

        // RFC 5321 §4.5.3.1.4 with room for the MAIL and RCPT parameters of the extensions offered.
        _lines = new CommandLineReader(options.MaxCommandLineLength, options.MaxAuthResponseLength, options.MaxParameterLineLength, "MAIL", "RCPT");
    }

    /// <summary>The options in force.</summary>
    public SmtpParserOptions Options { get; }

    /// <summary>
    /// Set by the session after it accepted a MAIL command with <c>SMTPUTF8</c>, cleared at the end of the
    /// transaction: RCPT addresses may then be UTF-8 (RFC 6531 §3.6); otherwise they get <c>553 5.6.7</c>.
    /// A MAIL command's own address is judged by its own SMTPUTF8 parameter.
    /// </summary>
    public bool IsUtf8Transaction { get; set; }

    /// <summary>Whether the rest of an over-long line is being discarded.</summary>
    public bool IsDiscardingLongLine => _lines.IsDiscardingLongLine;

    /// <summary>Forgets all state (after STARTTLS, RFC 3207 §4.2).</summary>
    public void Reset()
    {
        _lines.Reset();
        IsUtf8Transaction = false;
    }

    /// <summary>Parses the next command line from <paramref name="buffer"/>.</summary>
    /// <param name="buffer">Received bytes, starting where the previous call's <paramref name="consumed"/> ended.</param>
    /// <param name="consumed">
    /// Where to advance the pipe: after the line on Complete and Error; on Incomplete, <c>buffer.Start</c>
    /// (examine to the end and wait), or further when part of an over-long line was discarded.
    /// </param>
    /// <param name="command">The command on <see cref="SmtpParseStatus.Complete"/>.</param>
    /// <param name="error">The reply to send on <see cref="SmtpParseStatus.Error"/>.</param>
    public SmtpParseStatus TryParseCommand(in ReadOnlySequence<byte> buffer, out SequencePosition consumed, out SmtpCommand? command, out SmtpReply? error)
    {
        command = null;
        var status = _lines.TryReadCommand(buffer, out consumed, out var line);
        using (line)
        {
            error = status == CommandLineStatus.Complete ? ParseCommandLine(line.Text, out command) : Refusal(status, SmtpReplies.LineTooLong);
        }

        return status == CommandLineStatus.Incomplete ? SmtpParseStatus.Incomplete
            : error is null ? SmtpParseStatus.Complete
            : SmtpParseStatus.Error;
    }

    /// <summary>
    /// Reads one line answering a <c>334</c> challenge (RFC 4954 §4): at most
    /// <see cref="SmtpParserOptions.MaxAuthResponseLength"/> octets before CRLF, else <c>500 5.5.6</c>.
    /// </summary>
    /// <param name="buffer">Received bytes.</param>
    /// <param name="consumed">As for <see cref="TryParseCommand"/>.</param>
    /// <param name="response">
    /// The line as sent (printable ASCII, possibly empty or <c>*</c>); decode it with
    /// <see cref="Sasl.SaslWireFormat.TryDecodeResponse"/>.
    /// </param>
    /// <param name="error">The reply to send on <see cref="SmtpParseStatus.Error"/>.</param>
    public SmtpParseStatus TryParseAuthResponse(in ReadOnlySequence<byte> buffer, out SequencePosition consumed, out string? response, out SmtpReply? error)
    {
        var status = _lines.TryReadAuthResponse(buffer, out consumed, out response);
        error = status == CommandLineStatus.Complete ? null : Refusal(status, SmtpReplies.AuthLineTooLong);
        return status == CommandLineStatus.Incomplete ? SmtpParseStatus.Incomplete
            : error is null ? SmtpParseStatus.Complete
            : SmtpParseStatus.Error;
    }

    private static bool IsVerb(ReadOnlySpan<byte> verb, ReadOnlySpan<byte> name) => Ascii.EqualsIgnoreCase(verb, name);

    /// <summary>The reply to a line the framer refused; null while it is incomplete.</summary>
    private static SmtpReply? Refusal(CommandLineStatus status, SmtpReply tooLong) => status switch
    {
        CommandLineStatus.TooLong => tooLong,
        CommandLineStatus.BareLineEnding => SmtpReplies.BareLineEnding,
        CommandLineStatus.InvalidCharacter => SmtpReplies.InvalidCharacter,
        _ => null,
    };

    private SmtpReply? ParseCommandLine(ReadOnlySpan<byte> line, out SmtpCommand? command)
    {
        command = null;
        line = line.TrimEnd((byte)' ');
        var space = line.IndexOf((byte)' ');
        var verb = space < 0 ? line : line[..space];
        var hasArguments = space >= 0;
        var arguments = hasArguments ? line[(space + 1)..] : default;

        if (verb.Length == 4)
        {
            if (IsVerb(verb, "MAIL"u8))
            {
                return ParseMail(arguments, out command);
            }

            if (IsVerb(verb, "RCPT"u8))
            {
                return ParseRcpt(arguments, out command);
            }

            if (IsVerb(verb, "EHLO"u8) || IsVerb(verb, "HELO"u8))
            {
                return ParseHello(verb[0] is (byte)'E' or (byte)'e', arguments, out command);
            }

            if (IsVerb(verb, "DATA"u8))
            {
                return NoArguments(hasArguments, DataCommand.Instance, out command);
            }

            if (IsVerb(verb, "BDAT"u8))
            {
                return ParseBdat(arguments, out command);
            }

            if (IsVerb(verb, "RSET"u8))
            {
                return NoArguments(hasArguments, RsetCommand.Instance, out command);
            }

            if (IsVerb(verb, "NOOP"u8))
            {
                // RFC 5321 §4.1.1.9: "NOOP [ SP String ]"; the parameter is ignored.
                command = NoopCommand.Instance;
                return null;
            }

            if (IsVerb(verb, "QUIT"u8))
            {
                return NoArguments(hasArguments, QuitCommand.Instance, out command);
            }

            if (IsVerb(verb, "HELP"u8))
            {
                command = new HelpCommand(hasArguments ? Encoding.UTF8.GetString(arguments) : null);
                return null;
            }

            if (IsVerb(verb, "VRFY"u8) || IsVerb(verb, "EXPN"u8))
            {
                if (arguments.IsEmpty)
                {
                    return SmtpReplies.ArgumentRequired;
                }

                var argument = Encoding.UTF8.GetString(arguments);
                command = verb[0] is (byte)'V' or (byte)'v' ? new VrfyCommand(argument) : new ExpnCommand(argument);
                return null;
            }

            if (IsVerb(verb, "AUTH"u8))
            {
                return ParseAuth(arguments, out command);
            }
        }
        else if (IsVerb(verb, "STARTTLS"u8))
        {
            return NoArguments(hasArguments, StartTlsCommand.Instance, out command);
        }

        command = LineCommandSyntax.LooksLikeHttp(verb, out var method) ? new HttpRequestCommand(method!) : new UnknownCommand(LineCommandSyntax.SanitizeVerb(verb));
        return null;
    }

    private static SmtpReply? NoArguments(bool hasArguments, SmtpCommand instance, out SmtpCommand? command)
    {
        command = hasArguments ? null : instance;
        return hasArguments ? SmtpReplies.NoArgumentsAllowed : null;
    }

    private static SmtpReply? ParseHello(bool isEhlo, ReadOnlySpan<byte> argument, out SmtpCommand? command)
    {
        command = null;
        if (argument.IsEmpty || argument.IndexOf((byte)' ') >= 0)
        {
            return isEhlo ? SmtpReplies.EhloSyntax : SmtpReplies.HeloSyntax;
        }

        var kind = SmtpIdentityKind.Other;
        var domainReader = new SmtpGrammarReader(argument, allowUtf8: false);
        if (domainReader.ParseDomain(out _) && domainReader.End)
        {
            kind = SmtpIdentityKind.Domain;
        }
        else
        {
            var literalReader = new SmtpGrammarReader(argument, allowUtf8: false);
            if (literalReader.ParseAddressLiteral(out _) && literalReader.End)
            {
                kind = SmtpIdentityKind.AddressLiteral;
            }
        }

        var identity = Encoding.UTF8.GetString(argument);
        command = isEhlo ? new EhloCommand(identity, kind) : new HeloCommand(identity, kind);
        return null;
    }

    private SmtpReply? ParseMail(ReadOnlySpan<byte> arguments, out SmtpCommand? command)
    {
        command = null;
        var offered = Options.Extensions;
        var reader = new SmtpGrammarReader(arguments, allowUtf8: offered.HasFlag(SmtpExtensions.SmtpUtf8));
        if (!reader.TryConsumeIgnoreCase("FROM:"u8))
        {
            return SmtpReplies.MailSyntax;
        }

        reader.TryConsume((byte)' ');
        if (reader.End)
        {
            return SmtpReplies.MailSyntax;
        }

        if (!reader.ParseReversePath(out var path))
        {
            return SmtpReplies.BadSenderAddress;
        }

        long? size = null;
        var body = SmtpBodyType.Unspecified;
        var smtpUtf8 = false;
        var ret = SmtpDsnReturn.Unspecified;
        string? envelopeId = null;
        string? authMailbox = null;
        var seen = 0;
        while (!reader.End)
        {
            if (!reader.TryConsume((byte)' '))
            {
                return SmtpReplies.BadSenderAddress;
            }

            while (reader.TryConsume((byte)' '))
            {
            }

            // RFC 5321 §4.1.2 Mail-parameters = esmtp-param *(SP esmtp-param).
            if (!reader.ParseEsmtpParameter(out var keyword, out var value, out var hasValue))
            {
                return SmtpReplies.ParameterSyntax;
            }

            SmtpReply? failure;
            int bit;
            if (IsVerb(keyword, "SIZE"u8))
            {
                bit = 1;
                failure = Require(SmtpExtensions.Size) ?? ParseSize(value, hasValue, out size);
            }
            else if (IsVerb(keyword, "BODY"u8))
            {
                bit = 2;
                failure = ParseBody(value, out body);
            }
            else if (IsVerb(keyword, "SMTPUTF8"u8))
            {
                // RFC 6531 §3.4: the parameter has no value.
                bit = 4;
                smtpUtf8 = true;
                failure = Require(SmtpExtensions.SmtpUtf8) ?? (hasValue ? SmtpReplies.ParameterSyntax : null);
            }
            else if (IsVerb(keyword, "RET"u8))
            {
                bit = 8;
                ret = IsVerb(value, "FULL"u8) ? SmtpDsnReturn.Full : IsVerb(value, "HDRS"u8) ? SmtpDsnReturn.Headers : SmtpDsnReturn.Unspecified;
                failure = Require(SmtpExtensions.Dsn) ?? (ret == SmtpDsnReturn.Unspecified ? SmtpReplies.ParameterSyntax : null);
            }
            else if (IsVerb(keyword, "ENVID"u8))
            {
                bit = 16;
                failure = Require(SmtpExtensions.Dsn)
                    ?? (SmtpGrammar.TryDecodeXtext(value, out envelopeId) && hasValue && envelopeId!.Length <= MaxEnvelopeIdLength ? null : SmtpReplies.ParameterSyntax);
            }
            else if (IsVerb(keyword, "AUTH"u8))
            {
                // RFC 4954 §5: AUTH=<> or AUTH=xtext(mailbox).
                bit = 32;
                failure = Require(SmtpExtensions.Auth)
                    ?? (hasValue && SmtpGrammar.TryDecodeXtext(value, out authMailbox) ? null : SmtpReplies.ParameterSyntax);
            }
            else
            {
                return SmtpReplies.ParameterNotRecognized;
            }

            if ((seen & bit) != 0)
            {
                return SmtpReplies.DuplicateParameter;
            }

            seen |= bit;
            if (failure is not null)
            {
                return failure;
            }
        }

        // RFC 6531 §3.4: a UTF-8 reverse-path needs SMTPUTF8 on this very command.
        if (reader.SawNonAscii && !smtpUtf8)
        {
            return SmtpReplies.Utf8AddressNeedsSmtpUtf8;
        }

        command = new MailCommand(path!)
        {
            Size = size,
            Body = body,
            SmtpUtf8 = smtpUtf8,
            Return = ret,
            EnvelopeId = envelopeId,
            AuthMailbox = authMailbox,
        };
        return null;
    }

    private SmtpReply? ParseRcpt(ReadOnlySpan<byte> arguments, out SmtpCommand? command)
    {
        command = null;
        var reader = new SmtpGrammarReader(arguments, allowUtf8: Options.Extensions.HasFlag(SmtpExtensions.SmtpUtf8));
        if (!reader.TryConsumeIgnoreCase("TO:"u8))
        {
            return SmtpReplies.RcptSyntax;
        }

        reader.TryConsume((byte)' ');
        if (reader.End)
        {
            return SmtpReplies.RcptSyntax;
        }

        if (!reader.ParseForwardPath(out var path))
        {
            return SmtpReplies.BadRecipientAddress;
        }

        if (reader.SawNonAscii && !IsUtf8Transaction)
        {
            return SmtpReplies.Utf8AddressNeedsSmtpUtf8;
        }

        var notify = SmtpDsnNotify.Unspecified;
        SmtpOriginalRecipient? originalRecipient = null;
        var seen = 0;
        while (!reader.End)
        {
            if (!reader.TryConsume((byte)' '))
            {
                return SmtpReplies.BadRecipientAddress;
            }

            while (reader.TryConsume((byte)' '))
            {
            }

            if (!reader.ParseEsmtpParameter(out var keyword, out var value, out var hasValue))
            {
                return SmtpReplies.ParameterSyntax;
            }

            SmtpReply? failure;
            int bit;
            if (IsVerb(keyword, "NOTIFY"u8))
            {
                bit = 1;
                failure = Require(SmtpExtensions.Dsn) ?? ParseNotify(value, hasValue, out notify);
            }
            else if (IsVerb(keyword, "ORCPT"u8))
            {
                bit = 2;
                failure = Require(SmtpExtensions.Dsn) ?? ParseOriginalRecipient(value, hasValue, out originalRecipient);
            }
            else
            {
                return SmtpReplies.ParameterNotRecognized;
            }

            if ((seen & bit) != 0)
            {
                return SmtpReplies.DuplicateParameter;
            }

            seen |= bit;
            if (failure is not null)
            {
                return failure;
            }
        }

        command = new RcptCommand(path!) { Notify = notify, OriginalRecipient = originalRecipient };
        return null;
    }

    private SmtpReply? Require(SmtpExtensions extension) =>
        Options.Extensions.HasFlag(extension) ? null : SmtpReplies.ParameterNotRecognized;

    private SmtpReply? ParseSize(ReadOnlySpan<byte> value, bool hasValue, out long? size)
    {
        size = null;

        // RFC 1870 §3: size-value ::= 1*20DIGIT.
        if (!hasValue || value.Length > 20)
        {
            return SmtpReplies.ParameterSyntax;
        }

        switch (ParseNumber(value, out var parsed))
        {
            case NumberResult.Syntax:
                return SmtpReplies.ParameterSyntax;
            case NumberResult.Overflow:
                return SmtpReplies.MessageTooBig;
        }

        if (parsed > Options.MaxMessageSize)
        {
            return SmtpReplies.MessageTooBig;
        }

        size = parsed;
        return null;
    }

    private SmtpReply? ParseBody(ReadOnlySpan<byte> value, out SmtpBodyType body)
    {
        // RFC 6152 §3 and RFC 3030 §3: BODY=7BIT / 8BITMIME / BINARYMIME.
        body = SmtpBodyType.Unspecified;
        if (IsVerb(value, "7BIT"u8))
        {
            body = SmtpBodyType.SevenBit;
            return Options.Extensions.HasFlag(SmtpExtensions.EightBitMime) || Options.Extensions.HasFlag(SmtpExtensions.BinaryMime)
                ? null
                : SmtpReplies.ParameterNotRecognized;
        }

        if (IsVerb(value, "8BITMIME"u8))
        {
            body = SmtpBodyType.EightBitMime;
            return Require(SmtpExtensions.EightBitMime);
        }

        if (IsVerb(value, "BINARYMIME"u8))
        {
            body = SmtpBodyType.BinaryMime;
            return Require(SmtpExtensions.BinaryMime);
        }

        return SmtpReplies.ParameterSyntax;
    }

    private static SmtpReply? ParseNotify(ReadOnlySpan<byte> value, bool hasValue, out SmtpDsnNotify notify)
    {
        // RFC 3461 §4.1: "NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" ).
        notify = SmtpDsnNotify.Unspecified;
        if (!hasValue)
        {
            return SmtpReplies.ParameterSyntax;
        }

        foreach (var range in value.Split((byte)','))
        {
            var item = value[range];
            var flag = IsVerb(item, "NEVER"u8) ? SmtpDsnNotify.Never
                : IsVerb(item, "SUCCESS"u8) ? SmtpDsnNotify.Success
                : IsVerb(item, "FAILURE"u8) ? SmtpDsnNotify.Failure
                : IsVerb(item, "DELAY"u8) ? SmtpDsnNotify.Delay
                : SmtpDsnNotify.Unspecified;
            if (flag == SmtpDsnNotify.Unspecified || (notify & flag) != 0)
            {
                return SmtpReplies.ParameterSyntax;
            }

            notify |= flag;
        }

        return notify.HasFlag(SmtpDsnNotify.Never) && notify != SmtpDsnNotify.Never ? SmtpReplies.ParameterSyntax : null;
    }

    private static SmtpReply? ParseOriginalRecipient(ReadOnlySpan<byte> value, bool hasValue, out SmtpOriginalRecipient? originalRecipient)
    {
        // RFC 3461 §4.2: orcpt-parameter = "ORCPT=" original-recipient-address;
        // original-recipient-address = addr-type ";" xtext; addr-type = atom.
        originalRecipient = null;
        var semicolon = value.IndexOf((byte)';');
        if (!hasValue || value.Length > MaxOriginalRecipientLength || semicolon <= 0)
        {
            return SmtpReplies.ParameterSyntax;
        }

        var addressType = value[..semicolon];
        if (addressType.ContainsAnyExcept(LineCommandSyntax.MechanismChars) || !SmtpGrammar.TryDecodeXtext(value[(semicolon + 1)..], out var address) || address!.Length == 0)
        {
            return SmtpReplies.ParameterSyntax;
        }

        originalRecipient = new SmtpOriginalRecipient(Encoding.ASCII.GetString(addressType), address);
        return null;
    }

    private SmtpReply? ParseBdat(ReadOnlySpan<byte> arguments, out SmtpCommand? command)
    {
        // RFC 3030 §2: bdat-cmd ::= "BDAT" SP chunk-size [ SP end-marker ] CR LF; chunk-size ::= 1*DIGIT.
        command = null;
        var space = arguments.IndexOf((byte)' ');
        var size = space < 0 ? arguments : arguments[..space];
        var isLast = false;
        if (space >= 0)
        {
            if (!IsVerb(arguments[(space + 1)..], "LAST"u8))
            {
                return SmtpReplies.BdatSyntax;
            }

            isLast = true;
        }

        switch (ParseNumber(size, out var chunkSize))
        {
            case NumberResult.Syntax:
                return SmtpReplies.BdatSyntax;
            case NumberResult.Overflow:
                return SmtpReplies.MessageTooBig;
        }

        // SECURITY B4: a bounded number, never more than the message may hold.
        if (chunkSize > Options.MaxMessageSize)
        {
            return SmtpReplies.MessageTooBig;
        }

        command = new BdatCommand(chunkSize, isLast);
        return null;
    }

    private SmtpReply? ParseAuth(ReadOnlySpan<byte> arguments, out SmtpCommand? command)
    {
        command = null;
        switch (LineCommandSyntax.TryParseAuthArguments(arguments, Options.MaxAuthResponseLength, out var mechanism, out var initialResponse))
        {
            case AuthArgumentsStatus.TooLong:
                return SmtpReplies.AuthLineTooLong;
            case AuthArgumentsStatus.Syntax:
                return SmtpReplies.AuthSyntax;
            default:
                command = new AuthCommand(mechanism!, initialResponse);
                return null;
        }
    }

    private enum NumberResult
    {
        Ok,
        Syntax,
        Overflow,
    }

    private static NumberResult ParseNumber(ReadOnlySpan<byte> digits, out long value)
    {
        // SECURITY T26: every client number goes through this checked loop.
        value = 0;
        if (digits.IsEmpty)
        {
            return NumberResult.Syntax;
        }

        var overflow = false;
        foreach (var b in digits)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                return NumberResult.Syntax;
            }

            if (!overflow)
            {
                var digit = b - '0';
                if (value > (long.MaxValue - digit) / 10)
                {
                    overflow = true;
                }
                else
                {
                    value = (value * 10) + digit;
                }
            }
        }

        return overflow ? NumberResult.Overflow : NumberResult.Ok;
    }
}
