using MailHost.Storage.Common;

namespace MailHost.Storage.Postgres.Mail;

/// <summary>
/// An account of <see cref="PostgresMailStore"/>; holds no state but its name and row id. Every call works on that
/// row (ids are never reused), so a handle of a deleted account cannot reach an account created again under its name.
/// Every write takes the account row first (the store's lock order), which also makes a deletion and a write of the
/// same account happen one after the other.
/// </summary>
internal sealed class PostgresMailAccount : IMailAccount, IMailAccountQuota
{
    private static readonly StoreError Removed = new(StoreErrorCode.AccountRemoved, "The account was removed.");

    private readonly PostgresMailStore _store;
    private readonly long _accountId;

    public PostgresMailAccount(PostgresMailStore store, string accountName, long accountId)
    {
        _store = store;
        AccountName = accountName;
        _accountId = accountId;
    }

    public string AccountName { get; }

    public async ValueTask<IReadOnlyList<MailboxInfo>> ListMailboxesAsync(CancellationToken cancellationToken) =>
        await _store.ReadAsync<IReadOnlyList<MailboxInfo>>(
            async (s, ct) => await ExistsAsync(s, ct).ConfigureAwait(false)
                ? MailboxTreeRules.List(await EntriesAsync(s, ct).ConfigureAwait(false), await SubscriptionsAsync(s, ct).ConfigureAwait(false))
                : [],
            cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<string>> ListSubscriptionsAsync(CancellationToken cancellationToken) =>
        await _store.ReadAsync<IReadOnlyList<string>>(
            async (s, ct) => [.. (await SubscriptionsAsync(s, ct).ConfigureAwait(false)).Order(StringComparer.Ordinal)],
            cancellationToken).ConfigureAwait(false);

    public async ValueTask<StoreResult> CreateMailboxAsync(string name, MailboxAttributes specialUse, CancellationToken cancellationToken)
    {
        var normalized = MailboxTreeRules.CheckCreate(name, specialUse, _store.Limits);
        return normalized.IsSuccess
            ? await ChangeAsync(async (s, ct) => MailboxTreeRules.PlanCreate(await EntriesAsync(s, ct).ConfigureAwait(false), normalized.Value, specialUse, _store.Limits), cancellationToken).ConfigureAwait(false)
            : StoreResult.Fail(normalized.Error);
    }

    public async ValueTask<StoreResult> DeleteMailboxAsync(string name, CancellationToken cancellationToken)
    {
        var normalized = MailboxTreeRules.CheckDelete(name, _store.Limits);
        return normalized.IsSuccess
            ? await ChangeAsync(async (s, ct) => MailboxTreeRules.PlanDelete(await EntriesAsync(s, ct).ConfigureAwait(false), normalized.Value), cancellationToken).ConfigureAwait(false)
            : StoreResult.Fail(normalized.Error);
    }

    public async ValueTask<StoreResult> RenameMailboxAsync(string name, string newName, CancellationToken cancellationToken)
    {
        var names = MailboxTreeRules.CheckRename(name, newName, _store.Limits);
        return names.IsSuccess
            ? await ChangeAsync(
                async (s, ct) => MailboxTreeRules.PlanRename(await EntriesAsync(s, ct).ConfigureAwait(false), await SubscriptionsAsync(s, ct).ConfigureAwait(false), names.Value.From, names.Value.To),
                cancellationToken).ConfigureAwait(false)
            : StoreResult.Fail(names.Error);
    }

    public async ValueTask<StoreResult> SubscribeAsync(string name, CancellationToken cancellationToken)
    {
        var normalized = MailboxName.Normalize(name, _store.Limits);
        if (!normalized.IsSuccess)
        {
            return StoreResult.Fail(normalized.Error);
        }

        return Plain(await _store.WriteAsync(async (s, ct) =>
        {
            if (!await PostgresMailStore.LockAccountAsync(s, _accountId, ct).ConfigureAwait(false))
            {
                return StoreResult<bool>.Fail(Removed);
            }

            await s.ExecAsync("INSERT INTO subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING", ct, _accountId, normalized.Value).ConfigureAwait(false);
            return StoreResult<bool>.Success(true);
        }, cancellationToken).ConfigureAwait(false));
    }

    public async ValueTask<StoreResult> UnsubscribeAsync(string name, CancellationToken cancellationToken)
    {
        var normalized = MailboxName.Normalize(name, _store.Limits);
        if (!normalized.IsSuccess)
        {
            return StoreResult.Fail(normalized.Error);
        }

        return Plain(await _store.WriteAsync(async (s, ct) =>
        {
            if (!await PostgresMailStore.LockAccountAsync(s, _accountId, ct).ConfigureAwait(false))
            {
                return StoreResult<bool>.Fail(Removed);
            }

            var removed = await s.ExecAsync("DELETE FROM subscriptions WHERE account_id = $1 AND name = $2", ct, _accountId, normalized.Value).ConfigureAwait(false);
            return removed > 0 ? StoreResult<bool>.Success(true) : StoreResult<bool>.Fail(StoreErrorCode.NotFound, "The name is not subscribed.");
        }, cancellationToken).ConfigureAwait(false));
    }

    public async ValueTask<StoreResult> CheckMailboxAsync(string name, CancellationToken cancellationToken)
    {
        var normalized = MailboxName.Normalize(name, _store.Limits);
        if (!normalized.IsSuccess)
        {
            return StoreResult.Fail(normalized.Error);
        }

        // One statement: no row when the account was removed, a null \Noselect when the mailbox is missing.
        var rows = await _store.TryReadAsync(
            async (s, ct) => StoreResult<List<bool?>>.Success(await s.ListAsync(
                "SELECT m.noselect FROM accounts a LEFT JOIN mailboxes m ON m.account_id = a.id AND m.name = $2 WHERE a.id = $1",
                r => r.IsDBNull(0) ? (bool?)null : r.GetBoolean(0),
                ct,
                _accountId,
                normalized.Value).ConfigureAwait(false)),
            cancellationToken,
            singleStatement: true).ConfigureAwait(false);
        return !rows.IsSuccess ? StoreResult.Fail(rows.Error)
            : rows.Value.Count == 0 ? StoreResult.Fail(Removed)
            : rows.Value[0] is not false ? StoreResult.Fail(StoreErrorCode.NotFound, "No such mailbox.")
            : StoreResult.Success;
    }

    public async ValueTask<StoreResult<MailboxStatus>> GetStatusAsync(string name, CancellationToken cancellationToken)
    {
        var normalized = MailboxName.Normalize(name, _store.Limits);
        if (!normalized.IsSuccess)
        {
            return StoreResult<MailboxStatus>.Fail(normalized.Error);
        }

        return await _store.TryReadAsync(async (s, ct) =>
        {
            if (!await ExistsAsync(s, ct).ConfigureAwait(false))
            {
                return StoreResult<MailboxStatus>.Fail(Removed);
            }

            var mailbox = await PostgresMailStore.FindMailboxAsync(s, _accountId, normalized.Value, ct).ConfigureAwait(false);
            if (mailbox is null || mailbox.Noselect)
            {
                return StoreResult<MailboxStatus>.Fail(StoreErrorCode.NotFound, "No such mailbox.");
            }

            var status = await s.FirstAsync(
                "SELECT COUNT(*)::int, COUNT(*) FILTER (WHERE flags & 1 = 0)::int, COUNT(*) FILTER (WHERE flags & 8 <> 0)::int, COALESCE(SUM(size), 0)::bigint, COUNT(*) FILTER (WHERE uid >= $2)::int FROM messages WHERE mailbox_id = $1",
                r => new MailboxStatus(mailbox.Name, r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), mailbox.UidNext, mailbox.UidValidity, mailbox.HighestModSeq, r.GetInt64(3), r.GetInt32(4)),
                ct,
                mailbox.Id,
                (long)mailbox.FirstRecentUid).ConfigureAwait(false);
            return StoreResult<MailboxStatus>.Success(status!);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<StoreResult<AppendResult>> AppendAsync(string mailbox, Stream content, AppendOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var name = MailboxName.Normalize(mailbox, _store.Limits);
        if (!name.IsSuccess)
        {
            return StoreResult<AppendResult>.Fail(name.Error);
        }

        var prepared = await _store.PrepareAsync(content, options.EncodeNulParts, cancellationToken).ConfigureAwait(false);
        if (!prepared.IsSuccess)
        {
            return StoreResult<AppendResult>.Fail(prepared.Error);
        }

        await using (prepared.Value.Spool.ConfigureAwait(false))
        {
            return await _store.WriteAsync(
                async (s, ct) =>
                {
                    await _store.UploadAsync(s, prepared.Value, ct).ConfigureAwait(false);
                    return await _store.InsertMessageAsync(s, _accountId, name.Value, prepared.Value, options, ct, accountGone: Removed).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<StoreResult<IMailboxView>> OpenMailboxAsync(string name, bool examine, CancellationToken cancellationToken)
    {
        var normalized = MailboxName.Normalize(name, _store.Limits);
        if (!normalized.IsSuccess)
        {
            return StoreResult<IMailboxView>.Fail(normalized.Error);
        }

        var found = await _store.TryReadAsync(async (s, ct) =>
        {
            if (!await ExistsAsync(s, ct).ConfigureAwait(false))
            {
                return StoreResult<long>.Fail(Removed);
            }

            var mailbox = await PostgresMailStore.FindMailboxAsync(s, _accountId, normalized.Value, ct).ConfigureAwait(false);
            return mailbox is null || mailbox.Noselect ? StoreResult<long>.Fail(StoreErrorCode.NotFound, "No such mailbox.") : StoreResult<long>.Success(mailbox.Id);
        }, cancellationToken).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return StoreResult<IMailboxView>.Fail(found.Error);
        }

        var view = new PostgresMailboxView(_store, _accountId, found.Value, examine);
        var opened = await view.LoadAsync(cancellationToken).ConfigureAwait(false);
        return opened.IsSuccess ? StoreResult<IMailboxView>.Success(view) : StoreResult<IMailboxView>.Fail(opened.Error!);
    }

    public async ValueTask<QuotaUsage> GetQuotaAsync(CancellationToken cancellationToken) =>
        await _store.ReadSingleAsync((s, ct) => _store.FindQuotaAsync(s, _accountId, ct), cancellationToken).ConfigureAwait(false) ?? new QuotaUsage(0, null, 0, null);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<bool> ExistsAsync(PgSession s, CancellationToken ct) =>
        await s.LongAsync("SELECT id FROM accounts WHERE id = $1", ct, _accountId).ConfigureAwait(false) is not null;

    /// <summary>Plans a change of the account's mailboxes under the account's lock and applies it in the same transaction.</summary>
    private async ValueTask<StoreResult> ChangeAsync(Func<PgSession, CancellationToken, Task<StoreResult<IReadOnlyList<MailboxStep>>>> plan, CancellationToken cancellationToken) =>
        Plain(await _store.WriteAsync(async (s, ct) =>
        {
            if (!await PostgresMailStore.LockAccountAsync(s, _accountId, ct).ConfigureAwait(false))
            {
                return StoreResult<bool>.Fail(Removed);
            }

            var steps = await plan(s, ct).ConfigureAwait(false);
            if (!steps.IsSuccess)
            {
                return StoreResult<bool>.Fail(steps.Error);
            }

            foreach (var step in steps.Value)
            {
                if (await ApplyAsync(s, step, ct).ConfigureAwait(false) is { } error)
                {
                    return StoreResult<bool>.Fail(error);
                }
            }

            return StoreResult<bool>.Success(true);
        }, cancellationToken).ConfigureAwait(false));

    private async Task<StoreError?> ApplyAsync(PgSession s, MailboxStep step, CancellationToken ct)
    {
        switch (step)
        {
            case MailboxStep.Create create:
                await _store.CreateMailboxRowAsync(s, _accountId, create.Name, create.SpecialUse, create.Noselect, ct).ConfigureAwait(false);
                return null;
            case MailboxStep.Remove remove:
                var removed = (await PostgresMailStore.FindMailboxAsync(s, _accountId, remove.Name, ct, forUpdate: true).ConfigureAwait(false))!;
                await _store.RemoveMailboxAsync(s, removed.Id, ct).ConfigureAwait(false);
                return null;
            case MailboxStep.Rename rename:
                var renamed = (await PostgresMailStore.FindMailboxAsync(s, _accountId, rename.Name, ct, forUpdate: true).ConfigureAwait(false))!;
                await s.ExecAsync("UPDATE mailboxes SET name = $2 WHERE id = $1", ct, renamed.Id, rename.NewName).ConfigureAwait(false);

                // No MODSEQ counts a rename: the open views of every host read their mailbox again.
                await _store.AnnounceAsync(s, renamed.Id, 0, ct).ConfigureAwait(false);
                return null;
            case MailboxStep.MoveMessages move:
                var from = (await PostgresMailStore.FindMailboxAsync(s, _accountId, move.From, ct).ConfigureAwait(false))!;
                var to = (await PostgresMailStore.FindMailboxAsync(s, _accountId, move.To, ct).ConfigureAwait(false))!;
                var (source, target) = await MessageTransfer.LockPairAsync(s, from.Id, to.Id, ct).ConfigureAwait(false);
                var moved = await new MessageTransfer(_store, s, source!, target!).RunAsync(UidSet.All, move: true, checkQuota: false, ct).ConfigureAwait(false);
                return moved.IsSuccess ? null : moved.Error;
            case MailboxStep.RenameSubscription subscription:
                await s.ExecAsync("DELETE FROM subscriptions WHERE account_id = $1 AND name = $2", ct, _accountId, subscription.Name).ConfigureAwait(false);
                await s.ExecAsync("INSERT INTO subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING", ct, _accountId, subscription.NewName).ConfigureAwait(false);
                return null;
            default:
                throw new InvalidOperationException($"Unknown mailbox step {step}.");
        }
    }

    private Task<List<MailboxEntry>> EntriesAsync(PgSession s, CancellationToken ct) =>
        s.ListAsync("SELECT name, special_use, noselect FROM mailboxes WHERE account_id = $1", r => new MailboxEntry(r.GetString(0), (MailboxAttributes)r.GetInt32(1), r.GetBoolean(2)), ct, _accountId);

    private async Task<HashSet<string>> SubscriptionsAsync(PgSession s, CancellationToken ct) =>
        new(await s.ListAsync("SELECT name FROM subscriptions WHERE account_id = $1", r => r.GetString(0), ct, _accountId).ConfigureAwait(false), StringComparer.Ordinal);

    private static StoreResult Plain(StoreResult<bool> result) => result.IsSuccess ? StoreResult.Success : StoreResult.Fail(result.Error);
}
