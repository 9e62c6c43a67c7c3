namespace MailHost.Protocols.Imap;

internal static partial class ImapCommandGrammar
{
    // RFC 5258 §6: list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts].
    private static ListCommand? ParseList(ref ImapGrammarReader r, string tag)
    {
        if (!r.ExpectSpace())
        {
            return null;
        }

        var extended = false;
        var selection = ImapListSelectionOptions.None;
        if (r.Peek == '(')
        {
            extended = true;
            if (!ParseOptionList(ref r, ref selection, ParseSelectionOption) || !r.ExpectSpace())
            {
                return null;
            }
        }

        if (!ParseReference(ref r, out var reference) || !r.ExpectSpace())
        {
            return null;
        }

        var patterns = new List<string>(1);
        if (r.TryChar((byte)'('))
        {
            // RFC 5258 §3: patterns = "(" list-mailbox *(SP list-mailbox) ")".
            extended = true;
            do
            {
                if (!r.ParseListMailbox(out var pattern))
                {
                    return null;
                }

                patterns.Add(pattern);
            }
            while (r.TryChar((byte)' '));

            if (!r.ExpectChar((byte)')', ImapParseErrors.InvalidListOption))
            {
                return null;
            }
        }
        else
        {
            if (!r.ParseListMailbox(out var pattern))
            {
                return null;
            }

            patterns.Add(pattern);
        }

        var returns = ImapListReturnOptions.None;
        var statusItems = ImapStatusItems.None;
        if (r.TryChar((byte)' '))
        {
            if (!r.TryWord("RETURN"u8) || !r.ExpectSpace() || !r.ExpectChar((byte)'(', ImapParseErrors.InvalidListOption))
            {
                r.Fail(ImapParseErrors.InvalidListOption);
                return null;
            }

            extended = true;
            if (!r.TryChar((byte)')'))
            {
                do
                {
                    if (r.TryWord("SUBSCRIBED"u8))
                    {
                        returns |= ImapListReturnOptions.Subscribed;
                    }
                    else if (r.TryWord("CHILDREN"u8))
                    {
                        returns |= ImapListReturnOptions.Children;
                    }
                    else if (r.TryWord("SPECIAL-USE"u8))
                    {
                        returns |= ImapListReturnOptions.SpecialUse;
                    }
                    else if (r.TryWord("STATUS"u8))
                    {
                        // RFC 5819: "STATUS" SP "(" status-att *(SP status-att) ")".
                        returns |= ImapListReturnOptions.Status;
                        if (!r.ExpectSpace() || !ParseStatusItems(ref r, out statusItems))
                        {
                            return null;
                        }
                    }
                    else
                    {
                        r.Fail(ImapParseErrors.InvalidListOption);
                        return null;
                    }
                }
                while (r.TryChar((byte)' '));

                if (!r.ExpectChar((byte)')', ImapParseErrors.InvalidListOption))
                {
                    return null;
                }
            }
        }

        // RFC 5258 §3.1 and §6 (list-select-opts): RECURSIVEMATCH modifies a base option (SUBSCRIBED) and is BAD
        // alone or with independent options only (REMOTE; SPECIAL-USE is one too, RFC 6154 §6).
        if ((selection & ImapListSelectionOptions.RecursiveMatch) != 0 && (selection & ImapListSelectionOptions.Subscribed) == 0)
        {
            r.Fail(ImapParseErrors.InvalidListOption);
            return null;
        }

        return new ListCommand(tag, reference, patterns, selection, returns, statusItems, extended);
    }

    private delegate bool OptionParser<T>(ref ImapGrammarReader r, ref T options);

    private static bool ParseOptionList<T>(ref ImapGrammarReader r, ref T options, OptionParser<T> parseOne)
    {
        if (!r.ExpectChar((byte)'(', ImapParseErrors.InvalidListOption))
        {
            return false;
        }

        if (r.TryChar((byte)')'))
        {
            return true;
        }

        do
        {
            if (!parseOne(ref r, ref options))
            {
                return false;
            }
        }
        while (r.TryChar((byte)' '));

        return r.ExpectChar((byte)')', ImapParseErrors.InvalidListOption);
    }

    private static bool ParseSelectionOption(ref ImapGrammarReader r, ref ImapListSelectionOptions options)
    {
        if (r.TryWord("SUBSCRIBED"u8))
        {
            options |= ImapListSelectionOptions.Subscribed;
        }
        else if (r.TryWord("REMOTE"u8))
        {
            options |= ImapListSelectionOptions.Remote;
        }
        else if (r.TryWord("RECURSIVEMATCH"u8))
        {
            options |= ImapListSelectionOptions.RecursiveMatch;
        }
        else if (r.TryWord("SPECIAL-USE"u8))
        {
            options |= ImapListSelectionOptions.SpecialUse;
        }
        else
        {
            // RFC 5258 §3.1: unknown selection options are BAD.
            return r.Fail(ImapParseErrors.InvalidListOption);
        }

        return true;
    }

    // RFC 9051 §6.3.11: status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")".
    private static StatusCommand? ParseStatus(ref ImapGrammarReader r, string tag) =>
        r.ExpectSpace() && r.ParseMailbox(out var mailbox) && r.ExpectSpace() && ParseStatusItems(ref r, out var items)
            ? new StatusCommand(tag, mailbox, items)
            : null;

    private static bool ParseStatusItems(ref ImapGrammarReader r, out ImapStatusItems items)
    {
        items = ImapStatusItems.None;
        if (!r.ExpectChar((byte)'(', ImapParseErrors.InvalidStatusItem))
        {
            return false;
        }

        do
        {
            if (!r.ParseAtom(out var name, ImapParseErrors.InvalidStatusItem))
            {
                return false;
            }

            var item = StatusItem(name);
            if (item == ImapStatusItems.None)
            {
                return r.Fail(ImapParseErrors.InvalidStatusItem);
            }

            items |= item;
        }
        while (r.TryChar((byte)' '));

        return r.ExpectChar((byte)')', ImapParseErrors.InvalidStatusItem);
    }

    private static ImapStatusItems StatusItem(ReadOnlySpan<byte> name) =>
        Is(name, "MESSAGES"u8) ? ImapStatusItems.Messages
        : Is(name, "UIDNEXT"u8) ? ImapStatusItems.UidNext
        : Is(name, "UIDVALIDITY"u8) ? ImapStatusItems.UidValidity
        : Is(name, "UNSEEN"u8) ? ImapStatusItems.Unseen
        : Is(name, "DELETED"u8) ? ImapStatusItems.Deleted
        : Is(name, "SIZE"u8) ? ImapStatusItems.Size
        : Is(name, "RECENT"u8) ? ImapStatusItems.Recent
        : Is(name, "HIGHESTMODSEQ"u8) ? ImapStatusItems.HighestModSeq
        : Is(name, "APPENDLIMIT"u8) ? ImapStatusItems.AppendLimit
        : Is(name, "MAILBOXID"u8) ? ImapStatusItems.MailboxId
        : ImapStatusItems.None;

    // RFC 9208 §4.1.3: setquota = "SETQUOTA" SP quota-root-name SP setquota-list;
    // setquota-list = "(" [setquota-resource *(SP setquota-resource)] ")"; setquota-resource = resource-name SP resource-limit.
    private static SetQuotaCommand? ParseSetQuota(ref ImapGrammarReader r, string tag)
    {
        if (!r.ExpectSpace() || !r.ParseAString(out var root) || !r.ExpectSpace() || !r.ExpectChar((byte)'(', ImapParseErrors.InvalidQuotaResource))
        {
            return null;
        }

        var limits = new List<ImapQuotaLimit>();
        if (!r.TryChar((byte)')'))
        {
            do
            {
                if (!r.ParseAtomUpper(out var resource, ImapParseErrors.InvalidQuotaResource) || !r.ExpectSpace() || !r.ParseNumber64(out var limit))
                {
                    return null;
                }

                limits.Add(new ImapQuotaLimit(resource, limit));
            }
            while (r.TryChar((byte)' '));

            if (!r.ExpectChar((byte)')', ImapParseErrors.InvalidQuotaResource))
            {
                return null;
            }
        }

        return new SetQuotaCommand(tag, root, limits);
    }
}
