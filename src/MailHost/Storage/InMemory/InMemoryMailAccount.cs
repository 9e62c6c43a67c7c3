using MailHost.Storage.Common;

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
            return ValueTask.FromResult(Account() is { } account ? MailboxTreeRules.List(Entries(account), account.Subscriptions) : []);
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
        var normalized = MailboxTreeRules.CheckCreate(name, specialUse, _store.Limits);
        return normalized.IsSuccess
            ? Change(account => MailboxTreeRules.PlanCreate(Entries(account), normalized.Value, specialUse, _store.Limits))
            : Done(normalized.Error);
    }

    public ValueTask<StoreResult> DeleteMailboxAsync(string name, CancellationToken cancellationToken)
    {
        var normalized = MailboxTreeRules.CheckDelete(name, _store.Limits);
        return normalized.IsSuccess
            ? Change(account => MailboxTreeRules.PlanDelete(Entries(account), normalized.Value))
            : Done(normalized.Error);
    }

    public ValueTask<StoreResult> RenameMailboxAsync(string name, string newName, CancellationToken cancellationToken)
    {
        var names = MailboxTreeRules.CheckRename(name, newName, _store.Limits);
        return names.IsSuccess
            ? Change(account => MailboxTreeRules.PlanRename(Entries(account), account.Subscriptions, names.Value.From, names.Value.To))
            : Done(names.Error);
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

    public ValueTask<StoreResult> CheckMailboxAsync(string name, CancellationToken cancellationToken)
    {
        var normalized = MailboxName.Normalize(name, _store.Limits);
        if (!normalized.IsSuccess)
        {
            return ValueTask.FromResult(StoreResult.Fail(normalized.Error));
        }

        lock (_store.Gate)
        {
            var account = Account();
            return ValueTask.FromResult(
                account is null ? StoreResult.Fail(Removed)
                : !account.Mailboxes.TryGetValue(normalized.Value, out var mailbox) || mailbox.Noselect ? StoreResult.Fail(StoreErrorCode.NotFound, "No such mailbox.")
                : StoreResult.Success);
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

    /// <summary>Plans a change of the account's mailboxes and applies it, under the gate; publishes what changed after.</summary>
    private ValueTask<StoreResult> Change(Func<MemoryAccountState, StoreResult<IReadOnlyList<MailboxStep>>> plan)
    {
        var published = new List<(long Id, ulong ModSeq)>();
        lock (_store.Gate)
        {
            if (Account() is not { } account)
            {
                return Done(Removed);
            }

            var steps = plan(account);
            if (!steps.IsSuccess)
            {
                return Done(steps.Error);
            }

            foreach (var step in steps.Value)
            {
                Apply(account, step, published);
            }
        }

        foreach (var (id, modSeq) in published)
        {
            _store.Feed.Publish(id, modSeq);
        }

        return Done(null);
    }

    private void Apply(MemoryAccountState account, MailboxStep step, List<(long Id, ulong ModSeq)> published)
    {
        switch (step)
        {
            case MailboxStep.Create create:
                _store.CreateMailboxState(account, create.Name, create.SpecialUse, create.Noselect);
                break;
            case MailboxStep.Remove remove:
                var removed = account.Mailboxes[remove.Name];
                _store.RemoveMessages(account, removed.Messages);
                _store.ReleaseRetained(removed);
                account.Mailboxes.Remove(remove.Name);
                published.Add((removed.Id, ulong.MaxValue));
                break;
            case MailboxStep.Rename rename:
                account.Mailboxes.Remove(rename.Name, out var renamed);
                renamed!.Name = rename.NewName;
                account.Mailboxes.Add(rename.NewName, renamed);
                break;
            case MailboxStep.MoveMessages move:
                var source = account.Mailboxes[move.From];
                MoveAll(source, account.Mailboxes[move.To]);
                published.Add((source.Id, source.HighestModSeq));
                break;
            case MailboxStep.RenameSubscription subscription:
                account.Subscriptions.Remove(subscription.Name);
                account.Subscriptions.Add(subscription.NewName);
                break;
            default:
                throw new InvalidOperationException($"Unknown mailbox step {step}.");
        }
    }

    /// <summary>Moves every message of <paramref name="source"/> into <paramref name="target"/> as RENAME of INBOX does (RFC 9051 §6.3.6).</summary>
    private void MoveAll(MemoryMailboxState source, MemoryMailboxState target)
    {
        var modSeq = ++source.HighestModSeq;
        target.Keywords.AddRange(source.Keywords.Except(target.Keywords, StringComparer.OrdinalIgnoreCase));
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
    }

    private static List<MailboxEntry> Entries(MemoryAccountState account) =>
        [.. account.Mailboxes.Values.Select(m => new MailboxEntry(m.Name, m.SpecialUse, m.Noselect))];

    /// <summary>The account's state while it exists; <see langword="null"/> once it was deleted. Call with the gate held.</summary>
    private MemoryAccountState? Account() => _state.Deleted ? null : _state;

    private static ValueTask<StoreResult> Done(StoreError? error) => ValueTask.FromResult(error is null ? StoreResult.Success : StoreResult.Fail(error));
}
