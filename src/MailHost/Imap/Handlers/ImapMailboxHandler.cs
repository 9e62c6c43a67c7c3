using MailHost.Protocols.Imap;
using MailHost.Storage;

namespace MailHost.Imap.Handlers;

/// <summary>
/// Managing mailboxes in the authenticated state (RFC 9051 §6.3.4-§6.3.8): CREATE (with CREATE-SPECIAL-USE, RFC 6154
/// §3), DELETE, RENAME, SUBSCRIBE and UNSUBSCRIBE.
/// </summary>
internal sealed class ImapMailboxHandler(ImapSessionState session, IMailStore store, ImapReplies replies)
{
    public async Task CreateAsync(CreateCommand command)
    {
        if (replies.RefuseUndecodable(command.Tag, command.Mailbox, storesName: true))
        {
            return;
        }

        // RFC 9051 §6.3.4: a trailing delimiter only says that the client means to create children.
        var name = command.Mailbox.EndsWith(MailboxName.Delimiter) ? command.Mailbox[..^1] : command.Mailbox;
        var use = MailboxAttributes.None;
        foreach (var attribute in command.SpecialUse)
        {
            var known = Array.Find(ImapSpecialUse.Attributes, s => string.Equals(s.Name, attribute, StringComparison.OrdinalIgnoreCase));
            if (known.Name is null)
            {
                // RFC 6154 §3: an unknown special-use attribute.
                session.Writer.WriteTagged(command.Tag, ImapResponseStatus.No, "USEATTR", "Unsupported special-use attribute");
                return;
            }

            use |= known.Flag;
        }

        if (MailboxName.Normalize(name) is { IsSuccess: true } canonical && MailboxName.IsInbox(canonical.Value))
        {
            session.Writer.WriteTagged(command.Tag, ImapResponseStatus.No, "ALREADYEXISTS", "INBOX always exists");
            return;
        }

        var result = await session.Account.CreateMailboxAsync(name, use, session.Stopping).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            replies.WriteStoreError(command.Tag, result.Error!, storesName: true);
            return;
        }

        // RFC 8474 §4.1: the new mailbox's MAILBOXID in the tagged OK.
        var status = await session.Account.GetStatusAsync(name, session.Stopping).ConfigureAwait(false);
        session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, status.IsSuccess ? "MAILBOXID (" + ImapMailboxId.From(status.Value.UidValidity) + ")" : null, "CREATE completed");
    }

    public async Task DeleteAsync(DeleteCommand command)
    {
        if (replies.RefuseUndecodable(command.Tag, command.Mailbox))
        {
            return;
        }

        var result = await session.Account.DeleteMailboxAsync(command.Mailbox, session.Stopping).ConfigureAwait(false);
        replies.WriteResult(command.Tag, result, "DELETE completed");
    }

    public async Task RenameAsync(RenameCommand command)
    {
        if (replies.RefuseUndecodable(command.Tag, command.Mailbox) || replies.RefuseUndecodable(command.Tag, command.NewMailbox, storesName: true))
        {
            return;
        }

        // The store refuses either name as invalid; a source that cannot be a name names no mailbox, so it is told
        // apart here and the store's refusal can only be about the new name.
        if (MailboxName.Normalize(command.Mailbox, store.Limits) is { IsSuccess: false } source)
        {
            replies.WriteStoreError(command.Tag, source.Error);
            return;
        }

        var result = await session.Account.RenameMailboxAsync(command.Mailbox, command.NewMailbox, session.Stopping).ConfigureAwait(false);
        replies.WriteResult(command.Tag, result, "RENAME completed", storesName: true);
    }

    public async Task SubscribeAsync(SubscribeCommand command)
    {
        if (replies.RefuseUndecodable(command.Tag, command.Mailbox, storesName: true))
        {
            return;
        }

        var result = await session.Account.SubscribeAsync(command.Mailbox, session.Stopping).ConfigureAwait(false);
        replies.WriteResult(command.Tag, result, "SUBSCRIBE completed", storesName: true);
    }

    public async Task UnsubscribeAsync(UnsubscribeCommand command)
    {
        if (replies.RefuseUndecodable(command.Tag, command.Mailbox))
        {
            return;
        }

        var result = await session.Account.UnsubscribeAsync(command.Mailbox, session.Stopping).ConfigureAwait(false);
        replies.WriteResult(command.Tag, result, "UNSUBSCRIBE completed");
    }
}
