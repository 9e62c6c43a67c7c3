namespace MailHost.Storage.InMemory;

/// <summary>
/// An account of <see cref="InMemoryMailStore"/>, bound to the account's state as it was opened: after the account is
/// deleted the handle reaches nothing, not even an account created again under the same name.
/// </summary>
internal sealed class InMemoryMailAccount : IMailAccount, IMailAccountQuota
{
    private static readonly StoreError Removed = new(StoreErrorCode.AccountRemoved, "The account was removed.");

    private readonly InMemoryMailStore _store;
    private readonly MemoryAccountState _state;

    public InMemoryMailAccount(InMemoryMailStore store, MemoryAccountState state)
    {
        _store = store;
        _state = state;
        AccountName = state.Name;
    }

    public string AccountName { get; }

    public ValueTask<IReadOnlyList<MailboxInfo>> ListMailboxesAsync(CancellationToken cancellationToken)
    {
        lock (_store.Gate)
        {
            var account = Account();
            if (account is null)
            {
                return ValueTask.FromResult<IReadOnlyList<MailboxInfo>>([]);
            }

            var names = account.Mailboxes.Keys.Order(StringComparer.Ordinal).ToList();
            var result = new List<MailboxInfo>(names.Count);
            for (var i = 0; i < names.Count; i++)
            {
                var mailbox = account.Mailboxes[names[i]];
                var hasChildren = i + 1 < names.Count && MailboxName.IsDescendantOf(names[i + 1], names[i]);
                var attributes = mailbox.SpecialUse
                    | (mailbox.Noselect ? MailboxAttributes.Noselect : MailboxAttributes.None)
                    | (hasChildren ? MailboxAttributes.HasChildren : MailboxAttributes.HasNoChildren)
                    | (account.Subscriptions.Contains(names[i]) ? MailboxAttributes.Subscribed : MailboxAttributes.None);
                result.Add(new MailboxInfo(names[i], attributes));
            }

            return ValueTask.FromResult<IReadOnlyList<MailboxInfo>>(result);
        }
    }

    public ValueTask<IReadOnlyList<string>> ListSubscriptionsAsync(CancellationToken cancellationToken)
    {
        lock (_store.Gate)
        {
            return ValueTask.FromResult<IReadOnlyList<string>>(Account()?.Subscriptions.ToList() ?? []);
        }
    }

    public ValueTask<StoreResult> CreateMailboxAsync(string name, MailboxAttributes specialUse, CancellationToken cancellationToken)
    {
        var normalized = MailboxName.Normalize(name, _store.Limits);
        if (!normalized.IsSuccess)
        {
            return Done(normalized.Error);
        }

        if ((specialUse & ~MailboxAttributes.SpecialUseMask) != 0)
        {
            return Done(new StoreError(StoreErrorCode.InvalidArgument, "Only special-use attributes can be set."));
        }

        lock (_store.Gate)
        {
            var account = Account();
            if (account is null)
            {
                return Done(Removed);
            }

            if (account.Mailboxes.TryGetValue(normalized.Value, out var existing) && !existing.Noselect)
            {
                return Done(new StoreError(StoreErrorCode.AlreadyExists, "The mailbox already exists."));
            }

            var missing = MailboxName.Ancestors(normalized.Value).Count(a => !account.Mailboxes.ContainsKey(a)) + (existing is null ? 1 : 0);
            if (account.Mailboxes.Count + missing > _store.Limits.MaxMailboxesPerAccount)
            {
                return Done(new StoreError(StoreErrorCode.LimitExceeded, "The account has too many mailboxes."));
            }

            // RFC 9051 §6.3.4: create the superior hierarchy names the new name needs.
            foreach (var ancestor in MailboxName.Ancestors(normalized.Value))
            {
                if (!account.Mailboxes.ContainsKey(ancestor))
                {
                    _store.CreateMailboxState(account, ancestor, MailboxAttributes.None, noselect: false);
                }
            }

            _store.CreateMailboxState(account, normalized.Value, specialUse, noselect: false);
        }

        return Done(null);
    }

    public ValueTask<StoreResult> DeleteMailboxAsync(string name, CancellationToken cancellationToken)
    {
        var normalized = MailboxName.Normalize(name, _store.Limits);
        if (!normalized.IsSuccess)
        {
            return Done(normalized.Error);
        }

        if (MailboxName.IsInbox(normalized.Value))
        {
            return Done(new StoreError(StoreErrorCode.NotAllowed, "INBOX cannot be deleted."));
        }

        long id;
        lock (_store.Gate)
        {
            var account = Account();
            if (account is null)
            {
                return Done(Removed);
            }

            if (!account.Mailboxes.TryGetValue(normalized.Value, out var mailbox))
            {
                return Done(new StoreError(StoreErrorCode.NotFound, "No such mailbox."));
            }

            var hasChildren = account.Mailboxes.Keys.Any(n => MailboxName.IsDescendantOf(n, normalized.Value));
            if (hasChildren && mailbox.Noselect)
            {
                return Done(new StoreError(StoreErrorCode.HasChildren, "The mailbox has children and holds no messages."));
            }

            _store.RemoveMessages(account, mailbox.Messages);
            _store.ReleaseRetained(mailbox);
            account.Mailboxes.Remove(normalized.Value);
            if (hasChildren)
            {
                // RFC 9051 §6.3.5: the name stays as a \Noselect placeholder for its children.
                _store.CreateMailboxState(account, normalized.Value, MailboxAttributes.None, noselect: true);
            }

            id = mailbox.Id;
        }

        _store.Feed.Publish(id, ulong.MaxValue);
        return Done(null);
    }

    public ValueTask<StoreResult> RenameMailboxAsync(string name, string newName, CancellationToken cancellationToken)
    {
        var from = MailboxName.Normalize(name, _store.Limits);
        if (!from.IsSuccess)
        {
            return Done(from.Error);
        }

        var to = MailboxName.Normalize(newName, _store.Limits);
        if (!to.IsSuccess)
        {
            return Done(to.Error);
        }

        if (string.Equals(from.Value, to.Value, StringComparison.Ordinal) || MailboxName.IsDescendantOf(to.Value, from.Value))
        {
            return Done(new StoreError(StoreErrorCode.NotAllowed, "A mailbox cannot be renamed to itself or below itself."));
        }

        var published = new List<(long, ulong)>();
        lock (_store.Gate)
        {
            var account = Account();
            if (account is null)
            {
                return Done(Removed);
            }

            if (!account.Mailboxes.TryGetValue(from.Value, out var source))
            {
                return Done(new StoreError(StoreErrorCode.NotFound, "No such mailbox."));
            }

            if (account.Mailboxes.TryGetValue(to.Value, out var existingTarget) && !existingTarget.Noselect)
            {
                return Done(new StoreError(StoreErrorCode.AlreadyExists, "The new name already exists."));
            }

            if (existingTarget is not null || account.Mailboxes.Keys.Any(n => MailboxName.IsDescendantOf(n, to.Value)))
            {
                return Done(new StoreError(StoreErrorCode.AlreadyExists, "The new name already exists."));
            }

            foreach (var ancestor in MailboxName.Ancestors(to.Value))
            {
                if (!account.Mailboxes.ContainsKey(ancestor))
                {
                    _store.CreateMailboxState(account, ancestor, MailboxAttributes.None, noselect: false);
                }
            }

            if (MailboxName.IsInbox(from.Value))
            {
                // RFC 9051 §6.3.6: renaming INBOX moves its messages to the new mailbox and leaves INBOX empty.
                var target = _store.CreateMailboxState(account, to.Value, MailboxAttributes.None, noselect: false);
                var modSeq = ++source.HighestModSeq;
                target.Keywords.AddRange(source.Keywords);
                foreach (var message in source.Messages)
                {
                    target.Messages.Add(new MemoryMessageState
                    {
                        Uid = target.UidNext++,
                        Content = message.Content,
                        Flags = message.Flags,
                        Keywords = message.Keywords,
                        ModSeq = ++target.HighestModSeq,
                        InternalDate = message.InternalDate,
                        SaveDate = message.SaveDate,
                        EmailId = message.EmailId,
                        ThreadId = message.ThreadId,
                    });
                    source.Expunged.Add((message.Uid, modSeq));
                }

                _store.RetainMoved(source, source.Messages);
                source.Messages.Clear();
                published.Add((source.Id, source.HighestModSeq));
            }
            else
            {
                var moving = account.Mailboxes.Values.Where(m => m == source || MailboxName.IsDescendantOf(m.Name, from.Value)).ToList();
                foreach (var mailbox in moving)
                {
                    account.Mailboxes.Remove(mailbox.Name);
                }

                foreach (var mailbox in moving)
                {
                    mailbox.Name = to.Value + mailbox.Name[from.Value.Length..];
                    account.Mailboxes[mailbox.Name] = mailbox;
                }

                foreach (var subscription in account.Subscriptions.Where(s => s == from.Value || MailboxName.IsDescendantOf(s, from.Value)).ToList())
                {
                    account.Subscriptions.Remove(subscription);
                    account.Subscriptions.Add(to.Value + subscription[from.Value.Length..]);
                }
            }
        }

        foreach (var (id, modSeq) in published)
        {
            _store.Feed.Publish(id, modSeq);
        }

        return Done(null);
    }

    public ValueTask<StoreResult> SubscribeAsync(string name, CancellationToken cancellationToken)
    {
        var normalized = MailboxName.Normalize(name, _store.Limits);
        if (!normalized.IsSuccess)
        {
            return Done(normalized.Error);
        }

        lock (_store.Gate)
        {
            if (Account() is not { } account)
            {
                return Done(Removed);
            }

            account.Subscriptions.Add(normalized.Value);
        }

        return Done(null);
    }

    public ValueTask<StoreResult> UnsubscribeAsync(string name, CancellationToken cancellationToken)
    {
        var normalized = MailboxName.Normalize(name, _store.Limits);
        if (!normalized.IsSuccess)
        {
            return Done(normalized.Error);
        }

        lock (_store.Gate)
        {
            if (Account() is not { } account)
            {
                return Done(Removed);
            }

            return Done(account.Subscriptions.Remove(normalized.Value) ? null : new StoreError(StoreErrorCode.NotFound, "The name is not subscribed."));
        }
    }

    public ValueTask<StoreResult<MailboxStatus>> GetStatusAsync(string name, CancellationToken cancellationToken)
    {
        var normalized = MailboxName.Normalize(name, _store.Limits);
        if (!normalized.IsSuccess)
        {
            return ValueTask.FromResult(StoreResult<MailboxStatus>.Fail(normalized.Error));
        }

        lock (_store.Gate)
        {
            var account = Account();
            if (account is null)
            {
                return ValueTask.FromResult(StoreResult<MailboxStatus>.Fail(Removed));
            }

            if (!account.Mailboxes.TryGetValue(normalized.Value, out var mailbox) || mailbox.Noselect)
            {
                return ValueTask.FromResult(StoreResult<MailboxStatus>.Fail(StoreErrorCode.NotFound, "No such mailbox."));
            }

            var status = new MailboxStatus(
                mailbox.Name,
                mailbox.Messages.Count,
                mailbox.Messages.Count(m => (m.Flags & MessageFlags.Seen) == 0),
                mailbox.Messages.Count(m => (m.Flags & MessageFlags.Deleted) != 0),
                mailbox.UidNext,
                mailbox.UidValidity,
                mailbox.HighestModSeq,
                mailbox.Messages.Sum(m => m.Content.Length),
                mailbox.Messages.Count(m => m.Uid >= mailbox.FirstRecentUid));
            return ValueTask.FromResult(StoreResult<MailboxStatus>.Success(status));
        }
    }

    public async ValueTask<StoreResult<AppendResult>> AppendAsync(string mailbox, Stream content, AppendOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var prepared = await _store.PrepareAsync(content, options.EncodeNulParts, cancellationToken).ConfigureAwait(false);
        if (!prepared.IsSuccess)
        {
            return StoreResult<AppendResult>.Fail(prepared.Error);
        }

        return _store.Append(_state, mailbox, prepared.Value.Spool, prepared.Value.Indexed, options);
    }

    public ValueTask<StoreResult<IMailboxView>> OpenMailboxAsync(string name, bool examine, CancellationToken cancellationToken)
    {
        var normalized = MailboxName.Normalize(name, _store.Limits);
        if (!normalized.IsSuccess)
        {
            return ValueTask.FromResult(StoreResult<IMailboxView>.Fail(normalized.Error));
        }

        lock (_store.Gate)
        {
            var account = Account();
            if (account is null)
            {
                return ValueTask.FromResult(StoreResult<IMailboxView>.Fail(Removed));
            }

            if (!account.Mailboxes.TryGetValue(normalized.Value, out var mailbox) || mailbox.Noselect)
            {
                return ValueTask.FromResult(StoreResult<IMailboxView>.Fail(StoreErrorCode.NotFound, "No such mailbox."));
            }

            return ValueTask.FromResult(StoreResult<IMailboxView>.Success(new InMemoryMailboxView(_store, account, mailbox, examine)));
        }
    }

    public ValueTask<QuotaUsage> GetQuotaAsync(CancellationToken cancellationToken)
    {
        lock (_store.Gate)
        {
            var account = Account();
            return ValueTask.FromResult(account is null ? new QuotaUsage(0, null, 0, null) : _store.GetQuota(account));
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The account's state while it exists; <see langword="null"/> once it was deleted. Call with the gate held.</summary>
    private MemoryAccountState? Account() => _state.Deleted ? null : _state;

    private static ValueTask<StoreResult> Done(StoreError? error) => ValueTask.FromResult(error is null ? StoreResult.Success : StoreResult.Fail(error));
}
