using MailHost.Connections;
using MailHost.Protocols.Imap;
using MailHost.Storage;

namespace MailHost.Imap.Handlers;

/// <summary>
/// LIST (RFC 9051 §6.3.9, LIST-EXTENDED RFC 5258, LIST-STATUS RFC 5819, SPECIAL-USE RFC 6154, CHILDREN RFC 3348),
/// LSUB (RFC 3501 §6.3.9) and NAMESPACE (RFC 2342, RFC 9051 §6.3.10).
/// </summary>
internal sealed class ImapListHandler(ImapSessionState session, ImapOptions options)
{
    public async Task ListAsync(ListCommand command)
    {
        var writer = session.Writer;
        var selection = command.Selection;
        var returns = command.Return;
        if (command.Patterns.Count == 1 && command.Patterns[0].Length == 0 && !command.IsExtended)
        {
            // RFC 9051 §6.3.9: an empty pattern asks for the delimiter and the root of the reference.
            writer.WriteList("LIST"u8, ["\\Noselect"], MailboxName.Delimiter, "");
            writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "LIST completed");
            return;
        }

        var account = session.Account;
        var started = MailHostMetrics.StoreOperationStarting();
        var mailboxes = await account.ListMailboxesAsync(session.Stopping).ConfigureAwait(false);
        MailHostMetrics.StoreOperationEnded(started, "list", account);
        var byName = mailboxes.ToDictionary(m => m.Name, StringComparer.Ordinal);
        var subscriptions = await account.ListSubscriptionsAsync(session.Stopping).ConfigureAwait(false);
        var subscribed = new HashSet<string>(subscriptions, StringComparer.Ordinal);
        var subscribedOnly = (selection & ImapListSelectionOptions.Subscribed) != 0;
        var specialUseOnly = (selection & ImapListSelectionOptions.SpecialUse) != 0;

        // RFC 5258 §3.1: SUBSCRIBED selects subscriptions, even of mailboxes that no longer exist; the options together
        // narrow the selection.
        bool Selected(string name) =>
            (!subscribedOnly || subscribed.Contains(name))
            && (!specialUseOnly || (byName.TryGetValue(name, out var info) && (info.Attributes & MailboxAttributes.SpecialUseMask) != 0));
        var candidates = subscribedOnly ? subscriptions : mailboxes.Select(m => m.Name);
        var found = ImapListMatcher.Find(
            candidates.Where(Selected),
            ListPatterns(command.Reference, command.Patterns),
            recursiveMatch: (selection & ImapListSelectionOptions.RecursiveMatch) != 0,
            MailboxName.Delimiter);

        foreach (var (name, childInfo) in found)
        {
            byName.TryGetValue(name, out var info);
            var attributes = ListAttributes(info);
            if (subscribed.Contains(name) && (subscribedOnly || (returns & ImapListReturnOptions.Subscribed) != 0))
            {
                attributes.Add("\\Subscribed");
            }

            writer.WriteList("LIST"u8, attributes, MailboxName.Delimiter, name, childInfo);
            if ((returns & ImapListReturnOptions.Status) != 0 && info is not null && (info.Attributes & MailboxAttributes.Noselect) == 0)
            {
                // RFC 5819 §2: STATUS right after the mailbox's LIST; failures are simply left out.
                var status = await account.GetStatusAsync(name, session.Stopping).ConfigureAwait(false);
                if (status.IsSuccess)
                {
                    ImapStatusResponse.Write(writer, status.Value, command.StatusItems, options.MaxAppendSize);
                }
            }
        }

        writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "LIST completed");
    }

    public async Task LsubAsync(LsubCommand command)
    {
        var writer = session.Writer;

        // RFC 3501 §6.3.9.
        if (command.Pattern.Length == 0)
        {
            writer.WriteList("LSUB"u8, ["\\Noselect"], MailboxName.Delimiter, "");
            writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "LSUB completed");
            return;
        }

        var started = MailHostMetrics.StoreOperationStarting();
        var mailboxes = await session.Account.ListMailboxesAsync(session.Stopping).ConfigureAwait(false);
        MailHostMetrics.StoreOperationEnded(started, "list", session.Account);
        var byName = mailboxes.ToDictionary(m => m.Name, StringComparer.Ordinal);
        var subscriptions = await session.Account.ListSubscriptionsAsync(session.Stopping).ConfigureAwait(false);
        var subscribed = new HashSet<string>(subscriptions, StringComparer.Ordinal);

        // RFC 3501 §6.3.9: with "foo/bar" subscribed and "foo" not, "%" must return "foo", flagged \Noselect. The same
        // search as RECURSIVEMATCH: an unsubscribed superior that matches stands for its subscribed inferiors.
        foreach (var (name, _) in ImapListMatcher.Find(subscriptions, ListPatterns(command.Reference, [command.Pattern]), recursiveMatch: true, MailboxName.Delimiter))
        {
            var noselect = !subscribed.Contains(name) || !byName.TryGetValue(name, out var info) || (info.Attributes & MailboxAttributes.Noselect) != 0;
            writer.WriteList("LSUB"u8, noselect ? ["\\Noselect"] : [], MailboxName.Delimiter, name);
        }

        writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "LSUB completed");
    }

    public Task NamespaceAsync(NamespaceCommand command)
    {
        // RFC 2342 §5: one personal namespace with no prefix; no other users' or shared namespaces.
        session.Writer.WriteRaw("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n"u8);
        session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "NAMESPACE completed");
        return Task.CompletedTask;
    }

    /// <summary>
    /// The patterns to match, each after its reference (RFC 9051 §6.3.9). A reference or pattern that did not decode
    /// matches nothing (RFC 3501 §5.1.3): the command stays valid and simply finds no mailbox.
    /// </summary>
    private static List<string> ListPatterns(string reference, IReadOnlyList<string> patterns)
        => ImapMailboxName.IsUndecodable(reference) ? [] : [.. patterns.Where(p => !ImapMailboxName.IsUndecodable(p)).Select(p => reference + p)];

    /// <summary>A LIST response's attributes from what the store knows: \NonExistent, \Noselect, CHILDREN (RFC 3348), special use (RFC 6154).</summary>
    private static List<string> ListAttributes(MailboxInfo? info)
    {
        var attributes = new List<string>();
        if (info is null)
        {
            // RFC 5258 §3.4: a subscription, or a superior standing for one, with no mailbox behind it.
            attributes.Add("\\NonExistent");
            return attributes;
        }

        var a = info.Attributes;
        if ((a & MailboxAttributes.Noselect) != 0)
        {
            attributes.Add("\\Noselect");
        }

        attributes.Add((a & MailboxAttributes.HasChildren) != 0 ? "\\HasChildren" : "\\HasNoChildren");
        foreach (var (flag, label) in ImapSpecialUse.Attributes)
        {
            if ((a & flag) != 0)
            {
                attributes.Add(label);
            }
        }

        return attributes;
    }
}
