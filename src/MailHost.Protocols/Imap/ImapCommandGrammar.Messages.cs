namespace MailHost.Protocols.Imap;

internal static partial class ImapCommandGrammar
{
    /// <summary>Selected-state commands, with (UID) or without UID prefix. Null for "not one of these" or an error.</summary>
    private static ImapCommand? ParseMessageCommand(ref ImapGrammarReader r, string tag, ReadOnlySpan<byte> verb, bool isUid)
    {
        if (r.Error is not null)
        {
            return null;
        }

        if (Is(verb, "FETCH"u8))
        {
            return ParseFetch(ref r, tag, isUid);
        }

        if (Is(verb, "STORE"u8))
        {
            return ParseStore(ref r, tag, isUid);
        }

        if (Is(verb, "SEARCH"u8))
        {
            return ParseSearch(ref r, tag, isUid);
        }

        if (Is(verb, "COPY"u8) || Is(verb, "MOVE"u8))
        {
            var move = Is(verb, "MOVE"u8);
            if (!r.ExpectSpace() || !r.ParseSequenceSet(out var set) || !r.ExpectSpace() || !r.ParseMailbox(out var mailbox))
            {
                return null;
            }

            return move ? new MoveCommand(tag, isUid, set, mailbox) : new CopyCommand(tag, isUid, set, mailbox);
        }

        if (Is(verb, "EXPUNGE"u8))
        {
            if (!isUid)
            {
                return new ExpungeCommand(tag, false, null);
            }

            // RFC 9051 §6.4.9 (UIDPLUS): "UID EXPUNGE" SP sequence-set.
            return r.ExpectSpace() && r.ParseSequenceSet(out var uids) ? new ExpungeCommand(tag, true, uids) : null;
        }

        if (Is(verb, "SORT"u8))
        {
            return ParseSort(ref r, tag, isUid);
        }

        if (Is(verb, "THREAD"u8))
        {
            return ParseThread(ref r, tag, isUid);
        }

        return null;
    }

    // RFC 9051 §6.4.5: fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")")
    // RFC 7162 §3.1.4/§3.2.6: [SP "(" fetch-modifier *(SP fetch-modifier) ")"], CHANGEDSINCE and VANISHED.
    private static FetchCommand? ParseFetch(ref ImapGrammarReader r, string tag, bool isUid)
    {
        if (!r.ExpectSpace() || !r.ParseSequenceSet(out var set) || !r.ExpectSpace())
        {
            return null;
        }

        List<ImapFetchItem> items;
        if (r.TryWord("ALL"u8))
        {
            items = [ImapFetchItem.Flags, ImapFetchItem.InternalDate, ImapFetchItem.Rfc822Size, ImapFetchItem.Envelope];
        }
        else if (r.TryWord("FAST"u8))
        {
            items = [ImapFetchItem.Flags, ImapFetchItem.InternalDate, ImapFetchItem.Rfc822Size];
        }
        else if (r.TryWord("FULL"u8))
        {
            items = [ImapFetchItem.Flags, ImapFetchItem.InternalDate, ImapFetchItem.Rfc822Size, ImapFetchItem.Envelope, ImapFetchItem.Body];
        }
        else if (r.TryChar((byte)'('))
        {
            if (!r.Enter())
            {
                return null;
            }

            items = new List<ImapFetchItem>(4);
            do
            {
                if (!ParseFetchAtt(ref r, out var item))
                {
                    return null;
                }

                items.Add(item);
            }
            while (r.TryChar((byte)' '));

            r.Leave();
            if (!r.ExpectChar((byte)')', ImapParseErrors.InvalidFetchItem))
            {
                return null;
            }
        }
        else
        {
            if (!ParseFetchAtt(ref r, out var item))
            {
                return null;
            }

            items = [item];
        }

        ulong? changedSince = null;
        var vanished = false;
        if (r.TryChar((byte)' '))
        {
            if (!r.ExpectChar((byte)'(', ImapParseErrors.InvalidFetchModifier) || !r.Enter())
            {
                return null;
            }

            do
            {
                if (changedSince is null && r.TryWord("CHANGEDSINCE"u8))
                {
                    if (!r.ExpectSpace() || !r.ParseNumber64(out var modSeq))
                    {
                        return null;
                    }

                    changedSince = modSeq;
                }
                else if (!vanished && r.TryWord("VANISHED"u8))
                {
                    vanished = true;
                }
                else
                {
                    r.Fail(ImapParseErrors.InvalidFetchModifier);
                    return null;
                }
            }
            while (r.TryChar((byte)' '));

            r.Leave();
            if (!r.ExpectChar((byte)')', ImapParseErrors.InvalidFetchModifier))
            {
                return null;
            }
        }

        if (vanished)
        {
            // RFC 7162 §3.2.6: VANISHED only in UID FETCH, and only together with CHANGEDSINCE.
            if (!isUid)
            {
                r.Fail(ImapParseErrors.VanishedWithoutUid);
                return null;
            }

            if (changedSince is null)
            {
                r.Fail(ImapParseErrors.VanishedWithoutChangedSince);
                return null;
            }
        }

        return new FetchCommand(tag, isUid, set, items, changedSince, vanished);
    }

    private static bool ParseFetchAtt(ref ImapGrammarReader r, out ImapFetchItem item)
    {
        item = ImapFetchItem.Flags;
        if (!r.ParseAtom(out var name, ImapParseErrors.InvalidFetchItem))
        {
            return false;
        }

        // An atom stops at "[" only if "[" is not an atom char; it is, so split name and section by hand.
        var bracket = name.IndexOf((byte)'[');
        if (bracket >= 0)
        {
            // Rewind to the "[" so the section parser reads it.
            r.Position -= name.Length - bracket;
            name = name[..bracket];
            return ParseSectionItem(ref r, name, out item);
        }

        var simple = name.Length switch
        {
            3 when Is(name, "UID"u8) => ImapFetchItem.Uid,
            4 when Is(name, "BODY"u8) => ImapFetchItem.Body,
            5 when Is(name, "FLAGS"u8) => ImapFetchItem.Flags,
            6 when Is(name, "RFC822"u8) => ImapFetchItem.Rfc822,
            6 when Is(name, "MODSEQ"u8) => ImapFetchItem.ModSeq,
            7 when Is(name, "EMAILID"u8) => ImapFetchItem.EmailId,
            7 when Is(name, "PREVIEW"u8) => ImapFetchItem.Preview,
            8 when Is(name, "ENVELOPE"u8) => ImapFetchItem.Envelope,
            8 when Is(name, "THREADID"u8) => ImapFetchItem.ThreadId,
            8 when Is(name, "SAVEDATE"u8) => ImapFetchItem.SaveDate,
            11 when Is(name, "RFC822.SIZE"u8) => ImapFetchItem.Rfc822Size,
            11 when Is(name, "RFC822.TEXT"u8) => ImapFetchItem.Rfc822Text,
            12 when Is(name, "INTERNALDATE"u8) => ImapFetchItem.InternalDate,
            13 when Is(name, "RFC822.HEADER"u8) => ImapFetchItem.Rfc822Header,
            13 when Is(name, "BODYSTRUCTURE"u8) => ImapFetchItem.BodyStructure,
            _ => null,
        };

        if (simple is null)
        {
            return r.Fail(ImapParseErrors.InvalidFetchItem);
        }

        item = simple;
        if (simple.Kind == ImapFetchItemKind.Preview && r.Remaining >= 2 && r.Peek == ' ')
        {
            // RFC 8970 §3: "PREVIEW" [SP "(" preview-mod *(SP preview-mod) ")"]; preview-mod = "LAZY".
            var save = r.Position;
            r.Position++;
            if (r.TryChar((byte)'(') && r.TryWord("LAZY"u8))
            {
                if (!r.ExpectChar((byte)')', ImapParseErrors.InvalidFetchItem))
                {
                    return false;
                }

                item = ImapFetchItem.PreviewLazy;
            }
            else
            {
                // Not a preview modifier: the parenthesis opens the FETCH modifiers (RFC 7162).
                r.Position = save;
            }
        }

        return true;
    }

    // BODY[section]<partial>, BODY.PEEK[...], BINARY[part]<partial>, BINARY.PEEK[...], BINARY.SIZE[part].
    private static bool ParseSectionItem(ref ImapGrammarReader r, ReadOnlySpan<byte> name, out ImapFetchItem item)
    {
        item = ImapFetchItem.Flags;
        ImapFetchItemKind kind;
        var peek = false;
        if (Is(name, "BODY"u8))
        {
            kind = ImapFetchItemKind.BodySection;
        }
        else if (Is(name, "BODY.PEEK"u8))
        {
            kind = ImapFetchItemKind.BodySection;
            peek = true;
        }
        else if (Is(name, "BINARY"u8))
        {
            kind = ImapFetchItemKind.Binary;
        }
        else if (Is(name, "BINARY.PEEK"u8))
        {
            kind = ImapFetchItemKind.Binary;
            peek = true;
        }
        else if (Is(name, "BINARY.SIZE"u8))
        {
            kind = ImapFetchItemKind.BinarySize;
        }
        else
        {
            return r.Fail(ImapParseErrors.InvalidFetchItem);
        }

        if (!ParseSection(ref r, binary: kind != ImapFetchItemKind.BodySection, out var section))
        {
            return false;
        }

        long? offset = null;
        long? length = null;
        if (kind != ImapFetchItemKind.BinarySize && r.TryChar((byte)'<'))
        {
            // RFC 9051 §9: partial = "<" number64 "." nz-number64 ">".
            if (!r.ParseNumber64(out var start) || !r.ExpectChar((byte)'.', ImapParseErrors.InvalidPartial)
                || !r.ParseNumber64(out var count) || !r.ExpectChar((byte)'>', ImapParseErrors.InvalidPartial))
            {
                return r.Fail(ImapParseErrors.InvalidPartial);
            }

            if (count == 0)
            {
                return r.Fail(ImapParseErrors.InvalidPartial);
            }

            offset = (long)start;
            length = (long)count;
        }

        item = new ImapFetchItem(kind, section, peek, offset, length);
        return true;
    }

    // RFC 9051 §9: section = "[" [section-spec] "]"; section-binary = "[" [section-part] "]".
    private static bool ParseSection(ref ImapGrammarReader r, bool binary, out ImapSection section)
    {
        section = ImapSection.Whole;
        if (!r.ExpectChar((byte)'[', ImapParseErrors.InvalidSection))
        {
            return false;
        }

        if (r.TryChar((byte)']'))
        {
            return true;
        }

        var parts = new List<uint>();
        var kind = ImapSectionKind.Full;
        List<string> fields = [];
        while (char.IsAsciiDigit((char)r.Peek))
        {
            if (!r.ParseNzNumber(out var part))
            {
                return r.Fail(ImapParseErrors.InvalidSection);
            }

            parts.Add(part);
            if (!r.TryChar((byte)'.'))
            {
                break;
            }
        }

        var needText = parts.Count > 0 && r.Peek != ']';
        if (parts.Count == 0 || needText)
        {
            if (binary)
            {
                return r.Fail(ImapParseErrors.InvalidSection);
            }

            if (r.TryWord("HEADER.FIELDS.NOT"u8))
            {
                kind = ImapSectionKind.HeaderFieldsNot;
            }
            else if (r.TryWord("HEADER.FIELDS"u8))
            {
                kind = ImapSectionKind.HeaderFields;
            }
            else if (r.TryWord("HEADER"u8))
            {
                kind = ImapSectionKind.Header;
            }
            else if (r.TryWord("TEXT"u8))
            {
                kind = ImapSectionKind.Text;
            }
            else if (parts.Count > 0 && r.TryWord("MIME"u8))
            {
                kind = ImapSectionKind.Mime;
            }
            else
            {
                return r.Fail(ImapParseErrors.InvalidSection);
            }

            if (kind is ImapSectionKind.HeaderFields or ImapSectionKind.HeaderFieldsNot)
            {
                // header-list = "(" header-fld-name *(SP header-fld-name) ")"; header-fld-name = astring.
                if (!r.ExpectSpace() || !r.ExpectChar((byte)'(', ImapParseErrors.InvalidSection))
                {
                    return r.Fail(ImapParseErrors.InvalidSection);
                }

                do
                {
                    if (!r.ParseAString(out var field))
                    {
                        return false;
                    }

                    fields.Add(field.ToUpperInvariant());
                }
                while (r.TryChar((byte)' '));

                if (!r.ExpectChar((byte)')', ImapParseErrors.InvalidSection))
                {
                    return false;
                }
            }
        }

        if (!r.ExpectChar((byte)']', ImapParseErrors.InvalidSection))
        {
            return false;
        }

        section = new ImapSection(parts, kind, fields);
        return true;
    }

    // RFC 9051 §6.4.6, RFC 7162 §3.1.3: store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags;
    // store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag))).
    private static StoreCommand? ParseStore(ref ImapGrammarReader r, string tag, bool isUid)
    {
        if (!r.ExpectSpace() || !r.ParseSequenceSet(out var set) || !r.ExpectSpace())
        {
            return null;
        }

        ulong? unchangedSince = null;
        if (r.TryChar((byte)'('))
        {
            if (!r.TryWord("UNCHANGEDSINCE"u8) || !r.ExpectSpace() || !r.ParseNumber64(out var modSeq)
                || !r.ExpectChar((byte)')', ImapParseErrors.InvalidStoreItem) || !r.ExpectSpace())
            {
                r.Fail(ImapParseErrors.InvalidStoreItem);
                return null;
            }

            unchangedSince = modSeq;
        }

        var mode = r.TryChar((byte)'+') ? ImapStoreMode.Add : r.TryChar((byte)'-') ? ImapStoreMode.Remove : ImapStoreMode.Replace;
        bool silent;
        if (r.TryWord("FLAGS"u8))
        {
            silent = false;
        }
        else if (r.TryWord("FLAGS.SILENT"u8))
        {
            silent = true;
        }
        else
        {
            r.Fail(ImapParseErrors.InvalidStoreItem);
            return null;
        }

        if (!r.ExpectSpace())
        {
            return null;
        }

        List<string> flags;
        if (r.Peek == '(')
        {
            if (!r.ParseFlagList(out flags))
            {
                return null;
            }
        }
        else
        {
            flags = new List<string>(1);
            do
            {
                if (!r.ParseFlag(out var flag, allowRecent: false))
                {
                    return null;
                }

                flags.Add(flag);
            }
            while (r.TryChar((byte)' '));
        }

        return new StoreCommand(tag, isUid, set, mode, silent, flags, unchangedSince);
    }
}
