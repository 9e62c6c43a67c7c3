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
        await _store.ReadAsync<IReadOnlyList<MailboxInfo>>(db =>
        {
            var accountId = AccountId(db);
            if (accountId is null)
            {
                return [];
            }

            var rows = db.List($"SELECT {MailboxRow.Columns} FROM mailboxes WHERE account_id = @p0", MailboxRow.Read, accountId);
            var subscribed = new HashSet<string>(db.List("SELECT name FROM subscriptions WHERE account_id = @p0", r => r.GetString(0), accountId), StringComparer.Ordinal);
            rows.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            var result = new List<MailboxInfo>(rows.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                var hasChildren = i + 1 < rows.Count && MailboxName.IsDescendantOf(rows[i + 1].Name, row.Name);
                result.Add(new MailboxInfo(row.Name, row.SpecialUse
                    | (row.Noselect ? MailboxAttributes.Noselect : MailboxAttributes.None)
                    | (hasChildren ? MailboxAttributes.HasChildren : MailboxAttributes.HasNoChildren)
                    | (subscribed.Contains(row.Name) ? MailboxAttributes.Subscribed : MailboxAttributes.None)));
            }

            return result;
        }, cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<string>> ListSubscriptionsAsync(CancellationToken cancellationToken) =>
        await _store.ReadAsync<IReadOnlyList<string>>(
            db => db.List("SELECT name FROM subscriptions WHERE account_id = @p0 ORDER BY name", r => r.GetString(0), _accountId),
            cancellationToken).ConfigureAwait(false);

    public async ValueTask<StoreResult> CreateMailboxAsync(string name, MailboxAttributes specialUse, CancellationToken cancellationToken)
    {
        var normalized = MailboxName.Normalize(name, _store.Limits);
        if (!normalized.IsSuccess)
        {
            return StoreResult.Fail(normalized.Error);
        }

        if ((specialUse & ~MailboxAttributes.SpecialUseMask) != 0)
        {
            return StoreResult.Fail(StoreErrorCode.InvalidArgument, "Only special-use attributes can be set.");
        }

        return Plain(await _store.WriteAsync(ctx =>
        {
            var accountId = AccountId(ctx.Db);
            if (accountId is null)
            {
                return StoreResult<bool>.Fail(Removed);
            }

            var existing = SqliteMailStore.FindMailbox(ctx.Db, accountId.Value, normalized.Value);
            if (existing is { Noselect: false })
            {
                return StoreResult<bool>.Fail(StoreErrorCode.AlreadyExists, "The mailbox already exists.");
            }

            var count = ctx.Db.Long("SELECT COUNT(*) FROM mailboxes WHERE account_id = @p0", accountId) ?? 0;
            if (count + MailboxName.Ancestors(normalized.Value).Count() + 1 > _store.Limits.MaxMailboxesPerAccount)
            {
                return StoreResult<bool>.Fail(StoreErrorCode.LimitExceeded, "The account has too many mailboxes.");
            }

            // RFC 9051 §6.3.4: create the superior hierarchy names the new name needs.
            foreach (var ancestor in MailboxName.Ancestors(normalized.Value))
            {
                if (SqliteMailStore.FindMailbox(ctx.Db, accountId.Value, ancestor) is null)
                {
                    _store.CreateMailboxRow(ctx, accountId.Value, ancestor, MailboxAttributes.None, noselect: false);
                }
            }

            if (existing is not null)
            {
                // A \Noselect placeholder becomes a real mailbox: new identity, new UIDVALIDITY.
                ctx.Db.Exec("DELETE FROM mailboxes WHERE id = @p0", existing.Id);
                ctx.Db.Exec("DELETE FROM expunged WHERE mailbox_id = @p0", existing.Id);
            }

            _store.CreateMailboxRow(ctx, accountId.Value, normalized.Value, specialUse, noselect: false);
            return StoreResult<bool>.Success(true);
        }, cancellationToken).ConfigureAwait(false));
    }

    public async ValueTask<StoreResult> DeleteMailboxAsync(string name, CancellationToken cancellationToken)
    {
        var normalized = MailboxName.Normalize(name, _store.Limits);
        if (!normalized.IsSuccess)
        {
            return StoreResult.Fail(normalized.Error);
        }

        if (MailboxName.IsInbox(normalized.Value))
        {
            return StoreResult.Fail(StoreErrorCode.NotAllowed, "INBOX cannot be deleted.");
        }

        return Plain(await _store.WriteAsync(ctx =>
        {
            var accountId = AccountId(ctx.Db);
            if (accountId is null)
            {
                return StoreResult<bool>.Fail(Removed);
            }

            var mailbox = SqliteMailStore.FindMailbox(ctx.Db, accountId.Value, normalized.Value);
            if (mailbox is null)
            {
                return StoreResult<bool>.Fail(StoreErrorCode.NotFound, "No such mailbox.");
            }

            var hasChildren = HasChildren(ctx.Db, accountId.Value, normalized.Value);
            if (hasChildren && mailbox.Noselect)
            {
                return StoreResult<bool>.Fail(StoreErrorCode.HasChildren, "The mailbox has children and holds no messages.");
            }

            _store.ReleaseMailboxMessages(ctx, mailbox.Id);
            ctx.Db.Exec("DELETE FROM expunged WHERE mailbox_id = @p0", mailbox.Id);
            ctx.Db.Exec("DELETE FROM mailboxes WHERE id = @p0", mailbox.Id);
            if (hasChildren)
            {
                // RFC 9051 §6.3.5: the name stays as a \Noselect placeholder for its children.
                _store.CreateMailboxRow(ctx, accountId.Value, normalized.Value, MailboxAttributes.None, noselect: true);
            }

            var id = mailbox.Id;
            ctx.AfterCommit(_ => _store.Feed.Publish(id, ulong.MaxValue));
            return StoreResult<bool>.Success(true);
        }, cancellationToken).ConfigureAwait(false));
    }

    public async ValueTask<StoreResult> RenameMailboxAsync(string name, string newName, CancellationToken cancellationToken)
    {
        var from = MailboxName.Normalize(name, _store.Limits);
        if (!from.IsSuccess)
        {
            return StoreResult.Fail(from.Error);
        }

        var to = MailboxName.Normalize(newName, _store.Limits);
        if (!to.IsSuccess)
        {
            return StoreResult.Fail(to.Error);
        }

        if (string.Equals(from.Value, to.Value, StringComparison.Ordinal) || MailboxName.IsDescendantOf(to.Value, from.Value))
        {
            return StoreResult.Fail(StoreErrorCode.NotAllowed, "A mailbox cannot be renamed to itself or below itself.");
        }

        return Plain(await _store.WriteAsync(ctx =>
        {
            var accountId = AccountId(ctx.Db);
            if (accountId is null)
            {
                return StoreResult<bool>.Fail(Removed);
            }

            var source = SqliteMailStore.FindMailbox(ctx.Db, accountId.Value, from.Value);
            if (source is null)
            {
                return StoreResult<bool>.Fail(StoreErrorCode.NotFound, "No such mailbox.");
            }

            if (SqliteMailStore.FindMailbox(ctx.Db, accountId.Value, to.Value) is not null || HasChildren(ctx.Db, accountId.Value, to.Value))
            {
                return StoreResult<bool>.Fail(StoreErrorCode.AlreadyExists, "The new name already exists.");
            }

            foreach (var ancestor in MailboxName.Ancestors(to.Value))
            {
                if (SqliteMailStore.FindMailbox(ctx.Db, accountId.Value, ancestor) is null)
                {
                    _store.CreateMailboxRow(ctx, accountId.Value, ancestor, MailboxAttributes.None, noselect: false);
                }
            }

            if (MailboxName.IsInbox(from.Value))
            {
                // RFC 9051 §6.3.6: renaming INBOX moves its messages to the new mailbox and leaves INBOX empty.
                var targetId = _store.CreateMailboxRow(ctx, accountId.Value, to.Value, MailboxAttributes.None, noselect: false);
                var target = SqliteMailStore.FindMailbox(ctx.Db, targetId)!;
                var moved = SqliteMailboxView.TransferMessages(_store, ctx, source, target, UidSet.All, move: true, checkQuota: false);
                return moved.IsSuccess ? StoreResult<bool>.Success(true) : StoreResult<bool>.Fail(moved.Error);
            }

            var prefixLength = from.Value.Length;
            var moving = ctx.Db.List("SELECT id, name FROM mailboxes WHERE account_id = @p0", r => (Id: r.GetInt64(0), Name: r.GetString(1)), accountId)
                .Where(m => m.Name == from.Value || MailboxName.IsDescendantOf(m.Name, from.Value))
                .ToList();
            foreach (var (id, oldName) in moving)
            {
                ctx.Db.Exec("UPDATE mailboxes SET name = @p1 WHERE id = @p0", id, to.Value + oldName[prefixLength..]);
            }

            var subscriptions = ctx.Db.List("SELECT name FROM subscriptions WHERE account_id = @p0", r => r.GetString(0), accountId)
                .Where(s => s == from.Value || MailboxName.IsDescendantOf(s, from.Value))
                .ToList();
            foreach (var subscription in subscriptions)
            {
                ctx.Db.Exec("DELETE FROM subscriptions WHERE account_id = @p0 AND name = @p1", accountId, subscription);
                ctx.Db.Exec("INSERT OR IGNORE INTO subscriptions (account_id, name) VALUES (@p0, @p1)", accountId, to.Value + subscription[prefixLength..]);
            }

            return StoreResult<bool>.Success(true);
        }, cancellationToken).ConfigureAwait(false));
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

    private static bool HasChildren(DbSession db, long accountId, string name) =>
        db.List("SELECT name FROM mailboxes WHERE account_id = @p0 AND name > @p1 AND name < @p2", r => r.GetString(0), accountId, name + "/", name + "0")
            .Any(n => MailboxName.IsDescendantOf(n, name));

    private static StoreResult Plain(StoreResult<bool> result) => result.IsSuccess ? StoreResult.Success : StoreResult.Fail(result.Error);
}
