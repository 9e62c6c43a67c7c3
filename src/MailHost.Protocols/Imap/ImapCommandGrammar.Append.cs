namespace MailHost.Protocols.Imap;

internal static partial class ImapCommandGrammar
{
    /// <summary>What the text before a literal marker in an APPEND command means.</summary>
    internal enum AppendPrefix
    {
        /// <summary>The text is invalid; reader.Error says why.</summary>
        Error,

        /// <summary>The command is not APPEND.</summary>
        NotAppend,

        /// <summary>The literal is the mailbox name (an ordinary, buffered literal).</summary>
        MailboxLiteral,

        /// <summary>The literal is the first message's data.</summary>
        MessageLiteral,
    }

    /// <summary>True when the buffered command starts with <c>tag SP APPEND</c> followed by SP or its end.</summary>
    public static bool IsAppend(ReadOnlySpan<byte> command)
    {
        var space = command.IndexOf((byte)' ');
        if (space <= 0)
        {
            return false;
        }

        var rest = command[(space + 1)..];
        return rest.Length >= 6 && Is(rest[..6], "APPEND"u8) && (rest.Length == 6 || rest[6] == ' ');
    }

    /// <summary>
    /// Reads <c>tag SP "APPEND" SP mailbox SP [flag-list SP] [date-time SP]</c>: the whole text before the literal
    /// marker of the first message (RFC 9051 §6.3.12; RFC 3502 for the list of messages).
    /// </summary>
    public static AppendPrefix ParseAppendPrefix(
        ref ImapGrammarReader r, int maxTagLength, out string? tag, out string mailbox, out List<string> flags, out DateTimeOffset? date, out bool utf8)
    {
        utf8 = false;
        mailbox = string.Empty;
        flags = [];
        date = null;
        tag = null;
        if (!r.ParseTag(maxTagLength, out var parsedTag))
        {
            return AppendPrefix.Error;
        }

        tag = parsedTag;
        if (!r.ExpectSpace() || !r.TryWord("APPEND"u8))
        {
            return r.Error is null ? AppendPrefix.NotAppend : AppendPrefix.Error;
        }

        if (!r.ExpectSpace())
        {
            return AppendPrefix.Error;
        }

        if (r.AtEnd)
        {
            return AppendPrefix.MailboxLiteral;
        }

        if (!r.ParseMailbox(out mailbox))
        {
            return AppendPrefix.Error;
        }

        return ParseAppendMessageArguments(ref r, out flags, out date, out utf8) ? AppendPrefix.MessageLiteral : AppendPrefix.Error;
    }

    /// <summary>
    /// RFC 3502: <c>SP [flag-list SP] [date-time SP]</c>, up to the literal marker of the next message; RFC 6855 §4:
    /// <c>UTF8 SP "("</c> before a literal8 (<paramref name="utf8"/>; its <c>)</c> follows the data).
    /// </summary>
    public static bool ParseAppendMessageArguments(ref ImapGrammarReader r, out List<string> flags, out DateTimeOffset? date, out bool utf8)
    {
        flags = [];
        date = null;
        utf8 = false;
        if (!r.ExpectChar((byte)' ', ImapParseErrors.InvalidAppend))
        {
            return false;
        }

        if (r.Peek == '(')
        {
            if (!r.ParseFlagList(out flags) || !r.ExpectChar((byte)' ', ImapParseErrors.InvalidAppend))
            {
                return false;
            }
        }

        if (r.Peek == '"')
        {
            if (!r.ParseDateTime(out var internalDate) || !r.ExpectChar((byte)' ', ImapParseErrors.InvalidAppend))
            {
                return false;
            }

            date = internalDate;
        }

        if (r.TryWord("UTF8"u8))
        {
            if (!r.ExpectChar((byte)' ', ImapParseErrors.InvalidAppend) || !r.ExpectChar((byte)'(', ImapParseErrors.InvalidAppend))
            {
                return false;
            }

            utf8 = true;
        }

        return r.AtEnd || r.Fail(ImapParseErrors.InvalidAppend);
    }
}
