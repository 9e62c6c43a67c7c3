using MailHost.Storage.Mime;
using MailHost.Storage.Common;

namespace MailHost.Storage.InMemory;

/// <summary>
/// A complete message store that lives in memory, with the same contract as the durable stores: for embedders
/// who want a throwaway server in their own tests. Nothing survives the process; the host never uses it.
/// Content is held in 64 KiB chunks, deduplicated by SHA-256 like the durable stores.
/// </summary>
public sealed class InMemoryMailStore : IMailStore
{
    private readonly Dictionary<string, MemoryAccountState> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MemoryContent> _contents = new(StringComparer.Ordinal);
    private long _nextMailboxId = 1;

    /// <summary>Creates an empty store.</summary>
    /// <param name="limits">Limits; <see cref="MailStoreLimits.Default"/> when <see langword="null"/>.</param>
    /// <param name="defaultQuota">Quota for accounts without their own; unlimited when <see langword="null"/>.</param>
    /// <param name="timeProvider">Clock for INTERNALDATE, SAVEDATE and OLDER/YOUNGER; the system clock when <see langword="null"/>.</param>
    public InMemoryMailStore(MailStoreLimits? limits = null, QuotaLimits? defaultQuota = null, TimeProvider? timeProvider = null)
    {
        Limits = limits ?? MailStoreLimits.Default;
        DefaultQuota = defaultQuota ?? QuotaLimits.Unlimited;
        Time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public MailStoreLimits Limits { get; }

    internal QuotaLimits DefaultQuota { get; }

    internal TimeProvider Time { get; }

    internal object Gate { get; } = new();

    internal IMailboxChangeFeed Feed { get; } = new InProcessMailboxChangeFeed();

    internal OpenMailboxViews Views { get; } = new();

    /// <inheritdoc/>
    public ValueTask<StoreResult<IMailAccount>> OpenAccountAsync(string accountName, CancellationToken cancellationToken)
    {
        if (DefaultMailboxes.ValidateAccountName(accountName).Error is { } error)
        {
            return ValueTask.FromResult(StoreResult<IMailAccount>.Fail(error));
        }

        MemoryAccountState state;
        lock (Gate)
        {
            state = GetOrCreateAccount(accountName);
        }

        return ValueTask.FromResult(StoreResult<IMailAccount>.Success(new InMemoryMailAccount(this, state)));
    }

    /// <inheritdoc/>
    public ValueTask<StoreResult> DeleteAccountAsync(string accountName, CancellationToken cancellationToken)
    {
        List<long> deleted;
        lock (Gate)
        {
            if (!_accounts.Remove(accountName ?? string.Empty, out var account))
            {
                return ValueTask.FromResult(StoreResult.Fail(StoreErrorCode.NotFound, "No such account."));
            }

            account.Deleted = true;
            deleted = [];
            foreach (var mailbox in account.Mailboxes.Values)
            {
                RemoveMessages(account, mailbox.Messages);
                ReleaseRetained(mailbox);
                deleted.Add(mailbox.Id);
            }
        }

        foreach (var id in deleted)
        {
            Feed.Publish(id, ulong.MaxValue);
        }

        return ValueTask.FromResult(StoreResult.Success);
    }

    /// <inheritdoc/>
    public ValueTask<StoreResult> SetQuotaLimitsAsync(string accountName, QuotaLimits? limits, CancellationToken cancellationToken)
    {
        if (DefaultMailboxes.ValidateAccountName(accountName).Error is { } error)
        {
            return ValueTask.FromResult(StoreResult.Fail(error));
        }

        lock (Gate)
        {
            GetOrCreateAccount(accountName).Quota = limits;
        }

        return ValueTask.FromResult(StoreResult.Success);
    }

    /// <inheritdoc/>
    public async ValueTask<StoreResult<DeliveryResult>> DeliverAsync(Stream content, IReadOnlyList<DeliveryTarget> targets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.Count == 0)
        {
            return StoreResult<DeliveryResult>.Fail(StoreErrorCode.InvalidArgument, "A delivery needs at least one target.");
        }

        var prepared = await PrepareAsync(content, encodeNulParts: false, cancellationToken).ConfigureAwait(false);
        if (!prepared.IsSuccess)
        {
            return StoreResult<DeliveryResult>.Fail(prepared.Error);
        }

        var (spool, indexed) = prepared.Value;
        var results = new List<DeliveryTargetResult>(targets.Count);
        foreach (var target in targets)
        {
            if (DefaultMailboxes.ValidateAccountName(target.AccountName).Error is { } accountError)
            {
                results.Add(new DeliveryTargetResult(target, null, accountError));
                continue;
            }

            var accountName = target.AccountName;
            var stored = Append(() => GetOrCreateAccount(accountName), target.Mailbox, spool, indexed, target.Options ?? AppendOptions.Default);
            results.Add(stored.IsSuccess ? new DeliveryTargetResult(target, stored.Value, null) : new DeliveryTargetResult(target, null, stored.Error));
        }

        return new DeliveryResult(results, spool.Length);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private MessageSpoolOptions SpoolOptions => new(null, 0, Limits.MaxMessageSize);

    internal Task<StoreResult<(MessageSpool Spool, IndexedMessage Indexed)>> PrepareAsync(Stream content, bool encodeNulParts, CancellationToken cancellationToken)
        => MessagePreparation.PrepareAsync(content, SpoolOptions, Limits, encodeNulParts, cancellationToken);

    /// <summary>APPEND through an account handle: nothing is stored once the handle's account was deleted.</summary>
    internal StoreResult<AppendResult> Append(MemoryAccountState state, string mailboxName, MessageSpool spool, IndexedMessage indexed, AppendOptions options)
        => Append(() => state.Deleted ? null : state, mailboxName, spool, indexed, options);

    /// <summary>Stores one message; <paramref name="resolveAccount"/> runs with the gate held and gives the target account, if any.</summary>
    private StoreResult<AppendResult> Append(Func<MemoryAccountState?> resolveAccount, string mailboxName, MessageSpool spool, IndexedMessage indexed, AppendOptions options)
    {
        var name = MailboxName.Normalize(mailboxName, Limits);
        if (!name.IsSuccess)
        {
            return StoreResult<AppendResult>.Fail(name.Error);
        }

        long mailboxId;
        ulong modSeq;
        AppendResult result;
        lock (Gate)
        {
            if (resolveAccount() is not { } account)
            {
                return StoreResult<AppendResult>.Fail(StoreErrorCode.AccountRemoved, "The account was removed.");
            }

            if (!account.Mailboxes.TryGetValue(name.Value, out var mailbox) || mailbox.Noselect)
            {
                return StoreResult<AppendResult>.Fail(StoreErrorCode.NotFound, "No such mailbox.");
            }

            var keywords = FlagChange.ResolveKeywords(options.Keywords, mailbox.Keywords, Limits.MaxKeywordsPerMailbox, out var created);
            if (!keywords.IsSuccess)
            {
                return StoreResult<AppendResult>.Fail(keywords.Error);
            }

            if (CheckQuota(account, spool.Length, 1) is { } quotaError)
            {
                return StoreResult<AppendResult>.Fail(quotaError);
            }

            if (!_contents.TryGetValue(spool.ContentAddress, out var content))
            {
                content = new MemoryContent(spool.ContentAddress, spool.Chunks, spool.Length, indexed);
                _contents.Add(content.Address, content);
            }

            mailbox.Keywords.AddRange(created);
            var now = Time.GetUtcNow();
            var message = new MemoryMessageState
            {
                Uid = mailbox.UidNext,
                Content = content,
                Flags = options.Flags,
                Keywords = [.. new SortedSet<string>(keywords.Value, StringComparer.OrdinalIgnoreCase)],
                ModSeq = ++mailbox.HighestModSeq,
                InternalDate = options.InternalDate ?? now,
                SaveDate = now,
                EmailId = MailObjectIds.NewEmailId(),
                ThreadId = ResolveThread(account, content.Indexed),
            };
            AddMessage(account, mailbox, message);
            mailboxId = mailbox.Id;
            modSeq = mailbox.HighestModSeq;
            result = new AppendResult(mailbox.UidValidity, message.Uid, spool.Length, message.EmailId);
        }

        Feed.Publish(mailboxId, modSeq);
        return result;
    }

    internal MemoryAccountState GetOrCreateAccount(string accountName)
    {
        if (_accounts.TryGetValue(accountName, out var account))
        {
            return account;
        }

        account = new MemoryAccountState { Name = accountName };
        foreach (var (name, specialUse) in DefaultMailboxes.All)
        {
            CreateMailboxState(account, name, specialUse, noselect: false);
            account.Subscriptions.Add(name);
        }

        _accounts.Add(accountName, account);
        return account;
    }

    internal MemoryMailboxState CreateMailboxState(MemoryAccountState account, string name, MailboxAttributes specialUse, bool noselect)
    {
        account.LastUidValidity = DefaultMailboxes.NextUidValidity(account.LastUidValidity, Time.GetUtcNow());
        var mailbox = new MemoryMailboxState
        {
            Id = _nextMailboxId++,
            Name = name,
            UidValidity = account.LastUidValidity,
            SpecialUse = specialUse,
            Noselect = noselect,
        };
        account.Mailboxes[name] = mailbox;
        return mailbox;
    }

    internal StoreError? CheckQuota(MemoryAccountState account, long bytes, long messages) => QuotaRules.CheckAdd(GetQuota(account), bytes, messages);

    internal QuotaUsage GetQuota(MemoryAccountState account) => QuotaRules.Usage(account.StorageUsed, account.MessagesUsed, account.Quota, DefaultQuota);

    internal static void AddMessage(MemoryAccountState account, MemoryMailboxState mailbox, MemoryMessageState message)
    {
        mailbox.Messages.Add(message);
        mailbox.UidNext = message.Uid + 1;
        message.Content.References++;
        account.StorageUsed += message.Content.Length;
        account.MessagesUsed++;
    }

    internal void RemoveMessages(MemoryAccountState account, IEnumerable<MemoryMessageState> messages)
    {
        foreach (var message in messages)
        {
            account.StorageUsed -= message.Content.Length;
            account.MessagesUsed--;
            ReleaseContent(message.Content);
        }
    }

    /// <summary>
    /// Expunges <paramref name="victims"/>, already taken out of the mailbox's messages: they leave the account's
    /// usage at once, and one that another open view still shows is kept readable in
    /// <see cref="MemoryMailboxState.Retained"/> with its content (RFC 2180 §4.1.1). Called under <see cref="Gate"/>.
    /// </summary>
    internal void Expunge(MemoryAccountState account, MemoryMailboxState mailbox, IEnumerable<MemoryMessageState> victims, IOpenMailboxView? expunger)
    {
        foreach (var victim in victims)
        {
            account.StorageUsed -= victim.Content.Length;
            account.MessagesUsed--;
            if (Views.IsHeld(mailbox.Id, victim.Uid, expunger))
            {
                mailbox.Retained[victim.Uid] = victim;
            }
            else
            {
                ReleaseContent(victim.Content);
            }
        }
    }

    /// <summary>
    /// Keeps <paramref name="moved"/> readable in the mailbox they left (RENAME INBOX) for the open views that still
    /// show them; their new messages own the usage. Called under <see cref="Gate"/>.
    /// </summary>
    internal void RetainMoved(MemoryMailboxState mailbox, IEnumerable<MemoryMessageState> moved)
    {
        foreach (var message in moved)
        {
            if (Views.IsHeld(mailbox.Id, message.Uid, null))
            {
                message.Content.References++;
                mailbox.Retained[message.Uid] = message;
            }
        }
    }

    /// <summary>Releases the retained messages of <paramref name="mailbox"/> that no open view holds any more. Called under <see cref="Gate"/>.</summary>
    internal void ReleaseUnheld(MemoryMailboxState mailbox)
    {
        if (mailbox.Retained.Count == 0)
        {
            return;
        }

        foreach (var (uid, message) in mailbox.Retained.ToList())
        {
            if (!Views.IsHeld(mailbox.Id, uid, null))
            {
                mailbox.Retained.Remove(uid);
                ReleaseContent(message.Content);
            }
        }
    }

    /// <summary>Releases every retained message of a mailbox that is being deleted. Called under <see cref="Gate"/>.</summary>
    internal void ReleaseRetained(MemoryMailboxState mailbox)
    {
        foreach (var message in mailbox.Retained.Values)
        {
            ReleaseContent(message.Content);
        }

        mailbox.Retained.Clear();
    }

    private void ReleaseContent(MemoryContent content)
    {
        if (--content.References == 0)
        {
            _contents.Remove(content.Address);
        }
    }

    internal static string ResolveThread(MemoryAccountState account, IndexedMessage indexed)
    {
        var thread = ThreadRules.Resolve(indexed.References, indexed.MessageId, id => account.Threads.GetValueOrDefault(id));
        if (indexed.MessageId is { } messageId)
        {
            account.Threads.TryAdd(messageId, thread);
        }

        return thread;
    }
}
