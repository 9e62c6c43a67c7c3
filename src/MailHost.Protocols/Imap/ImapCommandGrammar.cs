using System.Buffers;
using System.Text;

namespace MailHost.Protocols.Imap;

/// <summary>
/// The command grammar (RFC 9051 §9 <c>command</c> and the extensions' additions) over one assembled command.
/// Split by command group: this file has the dispatch and the any-state, not-authenticated and authenticated
/// commands; <c>.Messages</c> has the selected-state ones; <c>.Search</c> the search program, SORT and THREAD.
/// </summary>
internal static partial class ImapCommandGrammar
{
    private static readonly SearchValues<byte> Base64Chars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="u8);

    /// <summary>Parses <c>tag SP command</c> (no CRLF). Returns null with <paramref name="tag"/> set when known and reader.Error set.</summary>
    public static ImapCommand? Parse(ref ImapGrammarReader r, int maxTagLength, out string? tag)
    {
        tag = null;
        if (!r.ParseTag(maxTagLength, out var parsedTag))
        {
            return null;
        }

        if (!r.TryChar((byte)' '))
        {
            // A lone word is no "tag SP command" (RFC 9051 §9), so it has no tag to answer with: it is answered
            // untagged (RFC 9051 §7.1.3) and never echoed, for it may be a SASL response the client sent after its
            // AUTHENTICATE was refused, that is, a password.
            r.Fail(ImapParseErrors.MissingCommand);
            return null;
        }

        tag = parsedTag;

        if (!r.ParseAtom(out var verb, ImapParseErrors.MissingCommand))
        {
            return null;
        }

        ImapCommand? command;
        if (Ascii.EqualsIgnoreCase(verb, "UID"u8))
        {
            command = r.ExpectSpace() && r.ParseAtom(out var uidVerb, ImapParseErrors.UnknownCommand)
                ? ParseMessageCommand(ref r, parsedTag, uidVerb, isUid: true) ?? Unknown(ref r)
                : null;
        }
        else
        {
            command = ParseCommand(ref r, parsedTag, verb) ?? ParseMessageCommand(ref r, parsedTag, verb, isUid: false) ?? Unknown(ref r);
        }

        return command is not null && r.ExpectEnd() ? command : null;
    }

    private static ImapCommand? Unknown(ref ImapGrammarReader r)
    {
        r.Fail(ImapParseErrors.UnknownCommand);
        return null;
    }

    /// <summary>Commands without a UID form. Returns null both for "not one of these" and for errors (reader.Error tells).</summary>
    private static ImapCommand? ParseCommand(ref ImapGrammarReader r, string tag, ReadOnlySpan<byte> verb)
    {
        if (r.Error is not null)
        {
            return null;
        }

        switch (verb.Length)
        {
            case 2 when Is(verb, "ID"u8): return ParseId(ref r, tag);
            case 4 when Is(verb, "NOOP"u8): return new NoopCommand(tag);
            case 4 when Is(verb, "IDLE"u8): return new IdleCommand(tag);
            case 4 when Is(verb, "LIST"u8): return ParseList(ref r, tag);
            case 4 when Is(verb, "LSUB"u8): return ParseLsub(ref r, tag);
            case 5 when Is(verb, "LOGIN"u8): return ParseLogin(ref r, tag);
            case 5 when Is(verb, "CHECK"u8): return new CheckCommand(tag);
            case 5 when Is(verb, "CLOSE"u8): return new CloseCommand(tag);
            case 6 when Is(verb, "LOGOUT"u8): return new LogoutCommand(tag);
            case 6 when Is(verb, "ENABLE"u8): return ParseEnable(ref r, tag);
            case 6 when Is(verb, "SELECT"u8): return ParseSelect(ref r, tag, examine: false);
            case 6 when Is(verb, "CREATE"u8): return ParseCreate(ref r, tag);
            case 6 when Is(verb, "DELETE"u8): return r.ExpectSpace() && r.ParseMailbox(out var deleted) ? new DeleteCommand(tag, deleted) : null;
            case 6 when Is(verb, "RENAME"u8): return ParseRename(ref r, tag);
            case 6 when Is(verb, "STATUS"u8): return ParseStatus(ref r, tag);
            case 6 when Is(verb, "APPEND"u8):
                // APPEND messages are streamed: the parser handles APPEND before the grammar ever sees it.
                r.Fail(ImapParseErrors.InvalidAppend);
                return null;
            case 7 when Is(verb, "EXAMINE"u8): return ParseSelect(ref r, tag, examine: true);
            case 8 when Is(verb, "STARTTLS"u8): return new StartTlsCommand(tag);
            case 8 when Is(verb, "UNSELECT"u8): return new UnselectCommand(tag);
            case 8 when Is(verb, "COMPRESS"u8):
                return r.ExpectSpace() && r.ParseAtomUpper(out var mechanism, ImapParseErrors.MissingArgument) ? new CompressCommand(tag, mechanism) : null;
            case 8 when Is(verb, "GETQUOTA"u8): return r.ExpectSpace() && r.ParseAString(out var root) ? new GetQuotaCommand(tag, root) : null;
            case 8 when Is(verb, "SETQUOTA"u8): return ParseSetQuota(ref r, tag);
            case 9 when Is(verb, "SUBSCRIBE"u8): return r.ExpectSpace() && r.ParseMailbox(out var subscribed) ? new SubscribeCommand(tag, subscribed) : null;
            case 9 when Is(verb, "NAMESPACE"u8): return new NamespaceCommand(tag);
            case 10 when Is(verb, "CAPABILITY"u8): return new CapabilityCommand(tag);
            case 11 when Is(verb, "UNSUBSCRIBE"u8):
                return r.ExpectSpace() && r.ParseMailbox(out var unsubscribed) ? new UnsubscribeCommand(tag, unsubscribed) : null;
            case 12 when Is(verb, "AUTHENTICATE"u8): return ParseAuthenticate(ref r, tag);
            case 12 when Is(verb, "GETQUOTAROOT"u8): return r.ExpectSpace() && r.ParseMailbox(out var quotaMailbox) ? new GetQuotaRootCommand(tag, quotaMailbox) : null;
            default: return null;
        }
    }

    private static bool Is(ReadOnlySpan<byte> verb, ReadOnlySpan<byte> name) => Ascii.EqualsIgnoreCase(verb, name);

    // RFC 9051 §6.2.2, RFC 4959: authenticate = "AUTHENTICATE" SP auth-type [SP (base64 / "=")].
    private static AuthenticateCommand? ParseAuthenticate(ref ImapGrammarReader r, string tag)
    {
        if (!r.ExpectSpace() || !r.ParseAtomUpper(out var mechanism, ImapParseErrors.MissingArgument))
        {
            return null;
        }

        string? initial = null;
        if (r.TryChar((byte)' '))
        {
            if (!r.ParseAtom(out var response, ImapParseErrors.InvalidBase64))
            {
                return null;
            }

            if (response.ContainsAnyExcept(Base64Chars))
            {
                r.Fail(ImapParseErrors.InvalidBase64);
                return null;
            }

            initial = Encoding.ASCII.GetString(response);
        }

        return new AuthenticateCommand(tag, mechanism, initial);
    }

    // RFC 9051 §6.2.3: login = "LOGIN" SP userid SP password.
    private static LoginCommand? ParseLogin(ref ImapGrammarReader r, string tag) =>
        r.ExpectSpace() && r.ParseAString(out var user) && r.ExpectSpace() && r.ParseAString(out var password)
            ? new LoginCommand(tag, user, password)
            : null;

    // RFC 5161: enable = "ENABLE" 1*(SP capability).
    private static EnableCommand? ParseEnable(ref ImapGrammarReader r, string tag)
    {
        var capabilities = new List<string>();
        do
        {
            if (!r.ExpectSpace() || !r.ParseAtomUpper(out var capability, ImapParseErrors.MissingArgument))
            {
                return null;
            }

            capabilities.Add(capability);
        }
        while (!r.AtEnd);

        return new EnableCommand(tag, capabilities);
    }

    // RFC 2971: id = "ID" SP id-params-list; id-params-list = "(" *(string SP nstring) ")" / nil.
    private static IdCommand? ParseId(ref ImapGrammarReader r, string tag)
    {
        if (!r.ExpectSpace())
        {
            return null;
        }

        if (r.TryWord("NIL"u8))
        {
            return new IdCommand(tag, null);
        }

        if (!r.ExpectChar((byte)'(', ImapParseErrors.InvalidIdParameters))
        {
            return null;
        }

        var parameters = new List<KeyValuePair<string, string?>>();
        if (!r.TryChar((byte)')'))
        {
            do
            {
                // RFC 2971 §3.3: at most 30 pairs; a field at most 30 octets, a value at most 1024.
                if (!r.ParseString(out var field) || !r.ExpectSpace() || !r.ParseNString(out var value))
                {
                    return null;
                }

                if (parameters.Count == 30 || field.Length > 30 || value?.Length > 1024)
                {
                    r.Fail(ImapParseErrors.InvalidIdParameters);
                    return null;
                }

                parameters.Add(new(field, value));
            }
            while (r.TryChar((byte)' '));

            if (!r.ExpectChar((byte)')', ImapParseErrors.InvalidIdParameters))
            {
                return null;
            }
        }

        return new IdCommand(tag, parameters);
    }

    // RFC 9051 §6.3.2, RFC 7162 §3.2.5: select = "SELECT" SP mailbox [select-params].
    private static ImapCommand? ParseSelect(ref ImapGrammarReader r, string tag, bool examine)
    {
        if (!r.ExpectSpace() || !r.ParseMailbox(out var mailbox))
        {
            return null;
        }

        var condstore = false;
        ImapQresyncParameters? qresync = null;
        if (r.TryChar((byte)' '))
        {
            if (!r.ExpectChar((byte)'(', ImapParseErrors.InvalidSelectParameter) || !r.Enter())
            {
                return null;
            }

            do
            {
                if (r.TryWord("CONDSTORE"u8) && !condstore)
                {
                    condstore = true;
                }
                else if (qresync is null && r.TryWord("QRESYNC"u8))
                {
                    if (!r.ExpectSpace() || !ParseQresync(ref r, out qresync))
                    {
                        return null;
                    }
                }
                else
                {
                    r.Fail(ImapParseErrors.InvalidSelectParameter);
                    return null;
                }
            }
            while (r.TryChar((byte)' '));

            r.Leave();
            if (!r.ExpectChar((byte)')', ImapParseErrors.InvalidSelectParameter))
            {
                return null;
            }
        }

        return examine ? new ExamineCommand(tag, mailbox, condstore, qresync) : new SelectCommand(tag, mailbox, condstore, qresync);
    }

    // RFC 7162 §7: "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")".
    private static bool ParseQresync(ref ImapGrammarReader r, out ImapQresyncParameters? parameters)
    {
        parameters = null;
        if (!r.ExpectChar((byte)'(', ImapParseErrors.InvalidSelectParameter) || !r.Enter()
            || !r.ParseNzNumber(out var uidValidity) || !r.ExpectSpace() || !r.ParseNumber64(out var modSeq))
        {
            return false;
        }

        ImapSequenceSet? knownUids = null;
        ImapSequenceSet? knownSequences = null;
        ImapSequenceSet? knownUidSet = null;
        if (r.TryChar((byte)' '))
        {
            if (r.Peek != '(' && (!r.ParseSequenceSet(out knownUids) || (r.TryChar((byte)' ') && r.Peek != '(' && r.Fail(ImapParseErrors.InvalidSelectParameter))))
            {
                return false;
            }

            if (r.Peek == '(')
            {
                if (!r.ExpectChar((byte)'(', ImapParseErrors.InvalidSelectParameter) || !r.Enter()
                    || !r.ParseSequenceSet(out knownSequences) || !r.ExpectSpace() || !r.ParseSequenceSet(out knownUidSet))
                {
                    return false;
                }

                r.Leave();
                if (!r.ExpectChar((byte)')', ImapParseErrors.InvalidSelectParameter))
                {
                    return false;
                }
            }
        }

        r.Leave();
        if (!r.ExpectChar((byte)')', ImapParseErrors.InvalidSelectParameter) || modSeq == 0 && r.Fail(ImapParseErrors.InvalidSelectParameter))
        {
            return false;
        }

        parameters = new ImapQresyncParameters(uidValidity, modSeq, knownUids, knownSequences, knownUidSet);
        return true;
    }

    // RFC 9051 §6.3.4, RFC 6154 §3: create = "CREATE" SP mailbox [SP "(" "USE" SP "(" [use-attr *(SP use-attr)] ")" ")"].
    private static CreateCommand? ParseCreate(ref ImapGrammarReader r, string tag)
    {
        if (!r.ExpectSpace() || !r.ParseMailbox(out var mailbox))
        {
            return null;
        }

        var uses = new List<string>();
        if (r.TryChar((byte)' '))
        {
            if (!r.ExpectChar((byte)'(', ImapParseErrors.InvalidCreateParameter) || !r.TryWord("USE"u8)
                || !r.ExpectSpace() || !r.ExpectChar((byte)'(', ImapParseErrors.InvalidCreateParameter))
            {
                r.Fail(ImapParseErrors.InvalidCreateParameter);
                return null;
            }

            if (!r.TryChar((byte)')'))
            {
                do
                {
                    if (!r.ExpectChar((byte)'\\', ImapParseErrors.InvalidCreateParameter) || !r.ParseAtom(out var use, ImapParseErrors.InvalidCreateParameter))
                    {
                        return null;
                    }

                    uses.Add("\\" + Encoding.ASCII.GetString(use));
                }
                while (r.TryChar((byte)' '));

                if (!r.ExpectChar((byte)')', ImapParseErrors.InvalidCreateParameter))
                {
                    return null;
                }
            }

            if (!r.ExpectChar((byte)')', ImapParseErrors.InvalidCreateParameter))
            {
                return null;
            }
        }

        return new CreateCommand(tag, mailbox, uses);
    }

    private static RenameCommand? ParseRename(ref ImapGrammarReader r, string tag) =>
        r.ExpectSpace() && r.ParseMailbox(out var from) && r.ExpectSpace() && r.ParseMailbox(out var to) ? new RenameCommand(tag, from, to) : null;

    // RFC 3501 §6.3.9: lsub = "LSUB" SP mailbox SP list-mailbox.
    private static LsubCommand? ParseLsub(ref ImapGrammarReader r, string tag) =>
        r.ExpectSpace() && ParseReference(ref r, out var reference) && r.ExpectSpace() && r.ParseListMailbox(out var pattern)
            ? new LsubCommand(tag, reference, pattern)
            : null;

    // The LIST reference is a mailbox argument, but "" and partial paths are usual: decoded, INBOX not normalised.
    private static bool ParseReference(ref ImapGrammarReader r, out string reference) => r.ParseMailboxName(normaliseInbox: false, out reference);
}
