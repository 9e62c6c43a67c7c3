using MailHost.Storage.Common;

namespace MailHost.Storage.Sqlite.Mail;

/// <summary>
/// An account of <see cref="SqliteMailStore"/>; holds no state but its name and row id. Every call works on that row
/// (ids are never reused), so a handle of a deleted account cannot reach an account created again under its name.
/// </summary>
internal sealed class SqliteMailAccount : IMailAccount, IMailAccountQuota
{
    private static readonly StoreError Removed = new(StoreErrorCode.AccountRemoved, "The account was removed.");

    private readonly SqliteMailStore _store;
    private readonly long _accountId;

    public SqliteMailAccount(SqliteMailStore store, string accountName, long accountId)
    {
        _store = store;
        AccountName = accountName;
        _accountId = accountId;
    }

    public string AccountName { get; }

    public async ValueTask<IReadOnlyList<MailboxInfo>> ListMailboxesAsync(CancellationToken cancellationToken) =>
        await _store.ReadAsync(db => AccountId(db) is null ? [] : MailboxTreeRules.List(Entries(db), Subscriptions(db)), cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<string>> ListSubscriptionsAsync(CancellationToken cancellationToken) =>
        await _store.ReadAsync<IReadOnlyList<string>>(
            db => db.List("SELECT name FROM subscriptions WHERE account_id = @p0 ORDER BY name", r => r.GetString(0), _accountId),
            cancellationToken).ConfigureAwait(false);

    public async ValueTask<StoreResult> CreateMailboxAsync(string name, MailboxAttributes specialUse, CancellationToken cancellationToken)
    {
        var normalized = MailboxTreeRules.CheckCreate(name, specialUse, _store.Limits);
        return normalized.IsSuccess
            ? await ChangeAsync(db => MailboxTreeRules.PlanCreate(Entries(db), normalized.Value, specialUse, _store.Limits), cancellationToken).ConfigureAwait(false)
            : StoreResult.Fail(normalized.Error);
    }

    public async ValueTask<StoreResult> DeleteMailboxAsync(string name, CancellationToken cancellationToken)
    {
        var normalized = MailboxTreeRules.CheckDelete(name, _store.Limits);
        return normalized.IsSuccess
            ? await ChangeAsync(db => MailboxTreeRules.PlanDelete(Entries(db), normalized.Value), cancellationToken).ConfigureAwait(false)
            : StoreResult.Fail(normalized.Error);
    }

    public async ValueTask<StoreResult> RenameMailboxAsync(string name, string newName, CancellationToken cancellationToken)
    {
        var names = MailboxTreeRules.CheckRename(name, newName, _store.Limits);
        return names.IsSuccess
            ? await ChangeAsync(db => MailboxTreeRules.PlanRename(Entries(db), Subscriptions(db), names.Value.From, names.Value.To), cancellationToken).ConfigureAwait(false)
            : StoreResult.Fail(names.Error);
    }

    public async ValueTask<StoreResult> SubscribeAsync(string name, CancellationToken cancellationToken)
    {
        var normalized = MailboxName.Normalize(name, _store.Limits);
        if (!normalized.IsSuccess)
        {
            return StoreResult.Fail(normalized.Error);
        }

        return Plain(await _store.WriteAsync(ctx =>
        {
            var accountId = AccountId(ctx.Db);
            if (accountId is null)
            {
                return StoreResult<bool>.Fail(Removed);
            }

            ctx.Db.Exec("INSERT OR IGNORE INTO subscriptions (account_id, name) VALUES (@p0, @p1)", accountId, normalized.Value);
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

        return Plain(await _store.WriteAsync(ctx =>
        {
            var accountId = AccountId(ctx.Db);
            if (accountId is null)
            {
                return StoreResult<bool>.Fail(Removed);
            }

            var removed = ctx.Db.Exec("DELETE FROM subscriptions WHERE account_id = @p0 AND name = @p1", accountId, normalized.Value);
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

        return await _store.ReadAsync(db =>
            AccountId(db) is not { } accountId ? StoreResult.Fail(Removed)
            : SqliteMailStore.FindMailbox(db, accountId, normalized.Value) is not { Noselect: false } ? StoreResult.Fail(StoreErrorCode.NotFound, "No such mailbox.")
            : StoreResult.Success,
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<StoreResult<MailboxStatus>> GetStatusAsync(string name, CancellationToken cancellationToken)
    {
        var normalized = MailboxName.Normalize(name, _store.Limits);
        if (!normalized.IsSuccess)
        {
            return StoreResult<MailboxStatus>.Fail(normalized.Error);
        }

        return await _store.ReadAsync(db =>
        {
            var accountId = AccountId(db);
            if (accountId is null)
            {
                return StoreResult<MailboxStatus>.Fail(Removed);
            }

            var mailbox = SqliteMailStore.FindMailbox(db, accountId.Value, normalized.Value);
            if (mailbox is null || mailbox.Noselect)
            {
                return StoreResult<MailboxStatus>.Fail(StoreErrorCode.NotFound, "No such mailbox.");
            }

            MailboxStatus? status = null;
            db.Query(
                "SELECT COUNT(*), COALESCE(SUM((m.flags & 1) = 0), 0), COALESCE(SUM((m.flags & 8) <> 0), 0), COALESCE(SUM(m.size), 0), COALESCE(SUM(m.uid >= @p1), 0) FROM messages m WHERE m.mailbox_id = @p0",
                r => status = new MailboxStatus(mailbox.Name, r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), mailbox.UidNext, mailbox.UidValidity, mailbox.HighestModSeq, r.GetInt64(3), r.GetInt32(4)),
                mailbox.Id,
                (long)mailbox.FirstRecentUid);
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

        try
        {
            return await _store.WriteAsync(ctx =>
            {
                var accountId = AccountId(ctx.Db);
                return accountId is null
                    ? StoreResult<AppendResult>.Fail(Removed)
                    : _store.InsertMessage(ctx, accountId.Value, name.Value, prepared.Value, options);
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            SqliteMailStore.DeleteSpool(prepared.Value);
        }
    }

    public async ValueTask<StoreResult<IMailboxView>> OpenMailboxAsync(string name, bool examine, CancellationToken cancellationToken)
    {
        var normalized = MailboxName.Normalize(name, _store.Limits);
        if (!normalized.IsSuccess)
        {
            return StoreResult<IMailboxView>.Fail(normalized.Error);
        }

        var found = await _store.ReadAsync(db =>
        {
            if (AccountId(db) is null)
            {
                return StoreResult<long>.Fail(Removed);
            }

            var mailbox = SqliteMailStore.FindMailbox(db, _accountId, normalized.Value);
            return mailbox is null || mailbox.Noselect ? StoreResult<long>.Fail(StoreErrorCode.NotFound, "No such mailbox.") : StoreResult<long>.Success(mailbox.Id);
        }, cancellationToken).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return StoreResult<IMailboxView>.Fail(found.Error);
        }

        var view = new SqliteMailboxView(_store, _accountId, found.Value, examine);
        var opened = await view.LoadAsync(cancellationToken).ConfigureAwait(false);
        return opened.IsSuccess ? StoreResult<IMailboxView>.Success(view) : StoreResult<IMailboxView>.Fail(opened.Error!);
    }

    public async ValueTask<QuotaUsage> GetQuotaAsync(CancellationToken cancellationToken) =>
        await _store.ReadAsync(db => AccountId(db) is { } id ? _store.ReadQuota(db, id) : new QuotaUsage(0, null, 0, null), cancellationToken).ConfigureAwait(false);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The account's row id while the row exists; <see langword="null"/> once the account was deleted.</summary>
    private long? AccountId(DbSession db) => db.Long("SELECT id FROM accounts WHERE id = @p0", _accountId);

    /// <summary>Plans a change of the account's mailboxes and applies it in one write; a step that fails undoes the whole change.</summary>
    private async ValueTask<StoreResult> ChangeAsync(Func<DbSession, StoreResult<IReadOnlyList<MailboxStep>>> plan, CancellationToken cancellationToken) =>
        Plain(await _store.WriteAsync(ctx =>
        {
            if (AccountId(ctx.Db) is null)
            {
                return StoreResult<bool>.Fail(Removed);
            }

            var steps = plan(ctx.Db);
            if (!steps.IsSuccess)
            {
                return StoreResult<bool>.Fail(steps.Error);
            }

            foreach (var step in steps.Value)
            {
                if (Apply(ctx, step) is { } error)
                {
                    return StoreResult<bool>.Fail(error);
                }
            }

            return StoreResult<bool>.Success(true);
        }, cancellationToken).ConfigureAwait(false));

    private StoreError? Apply(WriteContext ctx, MailboxStep step)
    {
        switch (step)
        {
            case MailboxStep.Create create:
                _store.CreateMailboxRow(ctx, _accountId, create.Name, create.SpecialUse, create.Noselect);
                return null;
            case MailboxStep.Remove remove:
                var mailboxId = SqliteMailStore.FindMailbox(ctx.Db, _accountId, remove.Name)!.Id;
                _store.ReleaseMailboxMessages(ctx, mailboxId);
                ctx.Db.Exec("DELETE FROM expunged WHERE mailbox_id = @p0", mailboxId);
                ctx.Db.Exec("DELETE FROM mailboxes WHERE id = @p0", mailboxId);
                ctx.AfterCommit(_ => _store.Feed.Publish(mailboxId, ulong.MaxValue));
                return null;
            case MailboxStep.Rename rename:
                ctx.Db.Exec("UPDATE mailboxes SET name = @p2 WHERE account_id = @p0 AND name = @p1", _accountId, rename.Name, rename.NewName);
                return null;
            case MailboxStep.MoveMessages move:
                var source = SqliteMailStore.FindMailbox(ctx.Db, _accountId, move.From)!;
                var target = SqliteMailStore.FindMailbox(ctx.Db, _accountId, move.To)!;
                var moved = SqliteMailboxView.TransferMessages(_store, ctx, source, target, UidSet.All, move: true, checkQuota: false);
                return moved.IsSuccess ? null : moved.Error;
            case MailboxStep.RenameSubscription subscription:
                ctx.Db.Exec("DELETE FROM subscriptions WHERE account_id = @p0 AND name = @p1", _accountId, subscription.Name);
                ctx.Db.Exec("INSERT OR IGNORE INTO subscriptions (account_id, name) VALUES (@p0, @p1)", _accountId, subscription.NewName);
                return null;
            default:
                throw new InvalidOperationException($"Unknown mailbox step {step}.");
        }
    }

    private List<MailboxEntry> Entries(DbSession db) =>
        db.List("SELECT name, special_use, noselect FROM mailboxes WHERE account_id = @p0", r => new MailboxEntry(r.GetString(0), (MailboxAttributes)r.GetInt32(1), r.GetInt64(2) != 0), _accountId);

    private HashSet<string> Subscriptions(DbSession db) =>
        new(db.List("SELECT name FROM subscriptions WHERE account_id = @p0", r => r.GetString(0), _accountId), StringComparer.Ordinal);

    private static StoreResult Plain(StoreResult<bool> result) => result.IsSuccess ? StoreResult.Success : StoreResult.Fail(result.Error);
}
