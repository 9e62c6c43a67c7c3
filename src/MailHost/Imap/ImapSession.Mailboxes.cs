using System.Globalization;
using MailHost.Protocols.Imap;
using MailHost.Storage;

namespace MailHost.Imap;

/// <summary>
/// The authenticated state (RFC 9051 §6.3): SELECT/EXAMINE (RFC 7162 CONDSTORE/QRESYNC), CREATE (RFC 6154), DELETE,
/// RENAME, SUBSCRIBE, UNSUBSCRIBE, NAMESPACE (RFC 2342), STATUS (RFC 8438), quota (RFC 9208), and CHECK, CLOSE,
/// UNSELECT (RFC 3691). LIST and LSUB are in their own part.
/// </summary>
internal sealed partial class ImapSession
{
    private static readonly (MailboxAttributes Flag, string Name)[] SpecialUses =
    [
        (MailboxAttributes.All, "\\All"),
        (MailboxAttributes.Archive, "\\Archive"),
        (MailboxAttributes.Drafts, "\\Drafts"),
        (MailboxAttributes.Flagged, "\\Flagged"),
        (MailboxAttributes.Junk, "\\Junk"),
        (MailboxAttributes.Sent, "\\Sent"),
        (MailboxAttributes.Trash, "\\Trash"),
    ];

    private ImapSelectedMailbox? _selected;
    private bool _condstore;
    private bool _qresync;

    private Task DispatchMailboxAsync(ImapCommand command) => command switch
    {
        SelectCommand c => SelectAsync(c.Tag, c.Mailbox, examine: false, c.Condstore, c.Qresync),
        ExamineCommand c => SelectAsync(c.Tag, c.Mailbox, examine: true, c.Condstore, c.Qresync),
        CreateCommand c => CreateAsync(c),
        DeleteCommand c => DeleteAsync(c),
        RenameCommand c => RenameAsync(c),
        SubscribeCommand c => SubscribeAsync(c),
        UnsubscribeCommand c => UnsubscribeAsync(c),
        ListCommand c => ListAsync(c),
        LsubCommand c => LsubAsync(c),
        NamespaceCommand c => NamespaceAsync(c),
        StatusCommand c => StatusAsync(c),
        AppendCommand c => AppendDoneAsync(c),
        GetQuotaCommand c => GetQuotaAsync(c.Tag, c.Root, null),
        GetQuotaRootCommand c => GetQuotaAsync(c.Tag, null, c.Mailbox),
        SetQuotaCommand c => SetQuotaAsync(c),
        CheckCommand c => CheckAsync(c),
        CloseCommand c => CloseAsync(c),
        UnselectCommand c => UnselectAsync(c),
        _ => DispatchMessageAsync(command),
    };

    private IMailAccount Account => _account ?? throw new InvalidOperationException("No account is open.");

    private async Task SelectAsync(string tag, string mailbox, bool examine, bool condstore, ImapQresyncParameters? qresync)
    {
        if (qresync is not null && !_qresync)
        {
            // RFC 7162 §3.2.5: QRESYNC parameters need ENABLE QRESYNC first.
            _writer.WriteTagged(tag, ImapResponseStatus.Bad, "CLIENTBUG", "QRESYNC is not enabled");
            return;
        }

        if (_selected is not null)
        {
            await CloseMailboxAsync().ConfigureAwait(false);

            // RFC 9051 §6.3.2, RFC 7162 §3.2.11: the old mailbox is closed before the new one is reported.
            _writer.WriteUntagged(ImapResponseStatus.Ok, "CLOSED", "Previous mailbox closed");
        }

        _state = ImapState.Authenticated;
        if (RefuseUndecodable(tag, mailbox))
        {
            return;
        }

        var opened = await Account.OpenMailboxAsync(mailbox, examine, _stopping).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            WriteStoreError(tag, opened.Error);
            return;
        }

        if (condstore)
        {
            // RFC 7162 §3.1.8: SELECT (CONDSTORE) is a CONDSTORE-enabling command; no mailbox is selected now, and
            // this SELECT reports HIGHESTMODSEQ anyway.
            EnableCondstore();
        }

        var selected = new ImapSelectedMailbox(opened.Value, examine);
        var snapshot = selected.View.Snapshot;
        _selected = selected;
        _state = ImapState.Selected;
        await ClaimRecentAsync(selected).ConfigureAwait(false);
        WriteFlagsResponses(selected, snapshot.Keywords, snapshot.CanCreateKeywords);
        _writer.WriteNumbered((uint)selected.Messages.Count, "EXISTS"u8);
        if (!_rev2)
        {
            // RFC 3501 §6.3.1: RECENT is required in IMAP4rev1 (RFC 9051 dropped it with \Recent).
            WriteRecentCount(selected);
            if (snapshot.FirstUnseenUid != 0 && selected.Messages.SequenceOf(snapshot.FirstUnseenUid) is var unseen and > 0)
            {
                _writer.WriteUntagged(ImapResponseStatus.Ok, "UNSEEN " + unseen.ToString(CultureInfo.InvariantCulture), "First unseen");
            }
        }

        _writer.WriteUntagged(ImapResponseStatus.Ok, "UIDVALIDITY " + snapshot.UidValidity.ToString(CultureInfo.InvariantCulture), "UIDs valid");
        _writer.WriteUntagged(ImapResponseStatus.Ok, "UIDNEXT " + snapshot.UidNext.ToString(CultureInfo.InvariantCulture), "Predicted next UID");
        _writer.WriteUntagged(ImapResponseStatus.Ok, "MAILBOXID (" + MailboxId(snapshot.UidValidity) + ")", "Mailbox id");

        // RFC 7162 §3.1.2.1: a server with persistent mod-sequences reports HIGHESTMODSEQ on every SELECT.
        _writer.WriteUntagged(ImapResponseStatus.Ok, "HIGHESTMODSEQ " + snapshot.HighestModSeq.ToString(CultureInfo.InvariantCulture), "Highest");
        if (_rev2)
        {
            // RFC 9051 §6.3.2: a LIST response with the mailbox name.
            _writer.WriteList("LIST"u8, [], MailboxName.Delimiter, snapshot.Name);
        }

        if (qresync is not null && qresync.UidValidity == snapshot.UidValidity)
        {
            await QresyncAsync(selected, qresync).ConfigureAwait(false);
        }

        _writer.WriteTagged(tag, ImapResponseStatus.Ok, examine ? "READ-ONLY" : "READ-WRITE", examine ? "EXAMINE completed" : "SELECT completed");
    }

    private void WriteFlagsResponses(ImapSelectedMailbox selected, IReadOnlyList<string> keywords, bool canCreate)
    {
        string[] system = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"];
        _writer.WriteFlags([.. system, .. keywords]);
        List<string> permanent = selected.ReadOnly ? [] : [.. system, .. keywords, .. (canCreate ? new[] { "\\*" } : [])];
        _writer.WriteRaw("* OK [PERMANENTFLAGS "u8);
        _writer.WriteFlagList(permanent);
        _writer.WriteRaw("] Flags permitted\r\n"u8);
        selected.Keywords = keywords;
    }

    /// <summary>Leaves the selected state without expunging (UNSELECT, SELECT of another mailbox, logout).</summary>
    private async Task CloseMailboxAsync()
    {
        var selected = _selected;
        _selected = null;
        if (_state == ImapState.Selected)
        {
            _state = ImapState.Authenticated;
        }

        if (selected is not null)
        {
            await selected.View.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task CheckAsync(CheckCommand command)
    {
        // RFC 3501 §6.4.1: every change is durable already; CHECK is a NOOP here.
        await SendUpdatesAsync(allowExpunge: true).ConfigureAwait(false);
        _writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "CHECK completed");
    }

    private async Task CloseAsync(CloseCommand command)
    {
        var selected = _selected!;
        if (!selected.ReadOnly)
        {
            // RFC 9051 §6.4.1: CLOSE expunges silently; no EXPUNGE responses.
            var result = await selected.View.ExpungeAsync(null, _stopping).ConfigureAwait(false);
            if (!result.IsSuccess && result.Error.Code != StoreErrorCode.NotFound)
            {
                WriteStoreError(command.Tag, result.Error);
                return;
            }
        }

        await CloseMailboxAsync().ConfigureAwait(false);
        _writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "CLOSE completed");
    }

    private async Task UnselectAsync(UnselectCommand command)
    {
        await CloseMailboxAsync().ConfigureAwait(false);
        _writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "UNSELECT completed");
    }

    private async Task CreateAsync(CreateCommand command)
    {
        if (RefuseUndecodable(command.Tag, command.Mailbox, storesName: true))
        {
            return;
        }

        // RFC 9051 §6.3.4: a trailing delimiter only says that the client means to create children.
        var name = command.Mailbox.EndsWith(MailboxName.Delimiter) ? command.Mailbox[..^1] : command.Mailbox;
        var use = MailboxAttributes.None;
        foreach (var attribute in command.SpecialUse)
        {
            var known = Array.Find(SpecialUses, s => string.Equals(s.Name, attribute, StringComparison.OrdinalIgnoreCase));
            if (known.Name is null)
            {
                // RFC 6154 §3: an unknown special-use attribute.
                _writer.WriteTagged(command.Tag, ImapResponseStatus.No, "USEATTR", "Unsupported special-use attribute");
                return;
            }

            use |= known.Flag;
        }

        if (MailboxName.Normalize(name) is { IsSuccess: true } canonical && MailboxName.IsInbox(canonical.Value))
        {
            _writer.WriteTagged(command.Tag, ImapResponseStatus.No, "ALREADYEXISTS", "INBOX always exists");
            return;
        }

        var result = await Account.CreateMailboxAsync(name, use, _stopping).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            WriteStoreError(command.Tag, result.Error!, storesName: true);
            return;
        }

        // RFC 8474 §4.1: the new mailbox's MAILBOXID in the tagged OK.
        var status = await Account.GetStatusAsync(name, _stopping).ConfigureAwait(false);
        _writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, status.IsSuccess ? "MAILBOXID (" + MailboxId(status.Value.UidValidity) + ")" : null, "CREATE completed");
    }

    private async Task DeleteAsync(DeleteCommand command)
    {
        if (RefuseUndecodable(command.Tag, command.Mailbox))
        {
            return;
        }

        var result = await Account.DeleteMailboxAsync(command.Mailbox, _stopping).ConfigureAwait(false);
        WriteResult(command.Tag, result, "DELETE completed");
    }

    private async Task RenameAsync(RenameCommand command)
    {
        if (RefuseUndecodable(command.Tag, command.Mailbox) || RefuseUndecodable(command.Tag, command.NewMailbox, storesName: true))
        {
            return;
        }

        // The store refuses either name as invalid; a source that cannot be a name names no mailbox, so it is told
        // apart here and the store's refusal can only be about the new name.
        if (MailboxName.Normalize(command.Mailbox, _store.Limits) is { IsSuccess: false } source)
        {
            WriteStoreError(command.Tag, source.Error);
            return;
        }

        var result = await Account.RenameMailboxAsync(command.Mailbox, command.NewMailbox, _stopping).ConfigureAwait(false);
        WriteResult(command.Tag, result, "RENAME completed", storesName: true);
    }

    private async Task SubscribeAsync(SubscribeCommand command)
    {
        if (RefuseUndecodable(command.Tag, command.Mailbox, storesName: true))
        {
            return;
        }

        var result = await Account.SubscribeAsync(command.Mailbox, _stopping).ConfigureAwait(false);
        WriteResult(command.Tag, result, "SUBSCRIBE completed", storesName: true);
    }

    private async Task UnsubscribeAsync(UnsubscribeCommand command)
    {
        if (RefuseUndecodable(command.Tag, command.Mailbox))
        {
            return;
        }

        var result = await Account.UnsubscribeAsync(command.Mailbox, _stopping).ConfigureAwait(false);
        WriteResult(command.Tag, result, "UNSUBSCRIBE completed");
    }

    private void WriteResult(string tag, StoreResult result, string text, bool storesName = false)
    {
        if (result.IsSuccess)
        {
            _writer.WriteTagged(tag, ImapResponseStatus.Ok, null, text);
        }
        else
        {
            WriteStoreError(tag, result.Error!, storesName: storesName);
        }
    }

    /// <summary>
    /// RFC 3501 §5.1.3, RFC 9051 §5.1: a name that is a valid astring but does not decode (not modified UTF-7, or not
    /// UTF-8 once UTF-8 is enabled) names no mailbox. The command's syntax is valid, so the answer is NO, never BAD:
    /// <c>[NONEXISTENT]</c>, or <c>[CANNOT]</c> where the command would store the name. True when it wrote that answer.
    /// </summary>
    private bool RefuseUndecodable(string tag, string name, bool storesName = false)
    {
        if (!ImapMailboxName.IsUndecodable(name))
        {
            return false;
        }

        _writer.WriteTagged(tag, ImapResponseStatus.No, storesName ? "CANNOT" : "NONEXISTENT", storesName ? "Invalid mailbox name: " + UndecodableNameText : "No such mailbox: " + UndecodableNameText);
        return true;
    }

    /// <summary>Why an undecodable name was refused, in the session's encoding of names.</summary>
    private string UndecodableNameText => _utf8 ? "not valid UTF-8" : "not valid modified UTF-7";

    private Task NamespaceAsync(NamespaceCommand command)
    {
        // RFC 2342 §5: one personal namespace with no prefix; no other users' or shared namespaces.
        _writer.WriteRaw("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n"u8);
        _writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "NAMESPACE completed");
        return Task.CompletedTask;
    }

    private async Task StatusAsync(StatusCommand command)
    {
        if (RefuseUndecodable(command.Tag, command.Mailbox))
        {
            return;
        }

        var status = await Account.GetStatusAsync(command.Mailbox, _stopping).ConfigureAwait(false);
        if (!status.IsSuccess)
        {
            WriteStoreError(command.Tag, status.Error);
            return;
        }

        if ((command.Items & ImapStatusItems.HighestModSeq) != 0)
        {
            // RFC 7162 §3.1: STATUS (HIGHESTMODSEQ) is CONDSTORE-enabling.
            EnableCondstore();
        }

        var value = status.Value;
        if (_selected is { } selected && string.Equals(selected.Name, value.Name, StringComparison.Ordinal))
        {
            // The store counts messages no session claimed; those this session claimed are recent here too.
            value = value with { Recent = value.Recent + selected.Messages.Recent.Count };
        }

        WriteStatusResponse(value, command.Items);
        _writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "STATUS completed");
    }

    private void WriteStatusResponse(MailboxStatus status, ImapStatusItems items)
    {
        var values = new List<KeyValuePair<ImapStatusItems, ulong>>();
        void Add(ImapStatusItems item, ulong value)
        {
            if ((items & item) != 0)
            {
                values.Add(new(item, value));
            }
        }

        Add(ImapStatusItems.Messages, (ulong)status.Messages);
        Add(ImapStatusItems.Recent, (ulong)status.Recent);
        Add(ImapStatusItems.UidNext, status.UidNext);
        Add(ImapStatusItems.UidValidity, status.UidValidity);
        Add(ImapStatusItems.Unseen, (ulong)status.Unseen);
        Add(ImapStatusItems.Deleted, (ulong)status.Deleted);
        Add(ImapStatusItems.Size, (ulong)status.Size);
        Add(ImapStatusItems.HighestModSeq, status.HighestModSeq);
        Add(ImapStatusItems.AppendLimit, (ulong)_options.MaxAppendSize);
        _writer.WriteStatus(status.Name, values, (items & ImapStatusItems.MailboxId) != 0 ? MailboxId(status.UidValidity) : null);
    }

    /// <summary>
    /// RFC 8474 MAILBOXID: derived from UIDVALIDITY, which every store keeps unique and rising per account and keeps
    /// across RENAME, so the id survives a rename and is never reused for another mailbox.
    /// </summary>
    private static string MailboxId(uint uidValidity) => "F" + uidValidity.ToString(CultureInfo.InvariantCulture);

    private async Task GetQuotaAsync(string tag, string? root, string? mailbox)
    {
        if (_account is not IMailAccountQuota quota)
        {
            _writer.WriteTagged(tag, ImapResponseStatus.No, "CANNOT", "Quota is not supported");
            return;
        }

        var usage = await quota.GetQuotaAsync(_stopping).ConfigureAwait(false);

        // RFC 9208 §4.3.2: one quota root, "", for the whole account, when it has any limit at all.
        bool limited = usage.StorageLimit is not null || usage.MessageLimit is not null;
        if (mailbox is not null)
        {
            if (RefuseUndecodable(tag, mailbox))
            {
                return;
            }

            var status = await Account.GetStatusAsync(mailbox, _stopping).ConfigureAwait(false);
            if (!status.IsSuccess)
            {
                WriteStoreError(tag, status.Error);
                return;
            }

            _writer.WriteRaw("* QUOTAROOT "u8);
            _writer.WriteMailbox(status.Value.Name);
            _writer.WriteRaw(limited ? " \"\"\r\n"u8 : "\r\n"u8);
        }
        else if (root!.Length != 0 || !limited)
        {
            _writer.WriteTagged(tag, ImapResponseStatus.No, "NONEXISTENT", "No such quota root");
            return;
        }

        if (!limited)
        {
            _writer.WriteTagged(tag, ImapResponseStatus.Ok, null, "GETQUOTAROOT completed");
            return;
        }

        // RFC 9208 §5.1: STORAGE in units of 1024 octets; resources without a limit are left out.
        _writer.WriteRaw("* QUOTA \"\" ("u8);
        bool first = true;
        if (usage.StorageLimit is { } storageLimit)
        {
            _writer.WriteRaw("STORAGE "u8);
            _writer.WriteNumber((ulong)((usage.StorageUsed + 1023) / 1024));
            _writer.WriteSpace();
            _writer.WriteNumber((ulong)(storageLimit / 1024));
            first = false;
        }

        if (usage.MessageLimit is { } messageLimit)
        {
            _writer.WriteRaw(first ? "MESSAGE "u8 : " MESSAGE "u8);
            _writer.WriteNumber((ulong)usage.MessagesUsed);
            _writer.WriteSpace();
            _writer.WriteNumber((ulong)messageLimit);
        }

        _writer.WriteRaw(")\r\n"u8);
        _writer.WriteTagged(tag, ImapResponseStatus.Ok, null, mailbox is null ? "GETQUOTA completed" : "GETQUOTAROOT completed");
    }

    private Task SetQuotaAsync(SetQuotaCommand command)
    {
        // RFC 9208 §4.1.3: limits are the administrator's; a user may not change them.
        _writer.WriteTagged(command.Tag, ImapResponseStatus.No, "NOPERM", "Quota limits are set by the administrator");
        return Task.CompletedTask;
    }
}
