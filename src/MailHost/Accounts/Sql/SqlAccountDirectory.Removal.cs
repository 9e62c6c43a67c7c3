using System.Data.Common;
using MailHost.Storage;

namespace MailHost.Accounts.Sql;

/// <content>
/// Removing an account together with its mail, which lives in another database (the mail store) that no transaction
/// here can cover. The order makes every interruption safe:
/// <list type="number">
/// <item>One directory transaction deletes the account (addresses, aliases, app passwords and login history go with it) and writes
/// a <c>removed_accounts</c> row for the name. Before it commits the account is whole; after it nobody can log in
/// as the account or send mail to it, and its mail is marked for deletion.</item>
/// <item>Holding the directory's write lock, the mail store deletes the account's mail in one transaction of its own,
/// then the row goes. A crash in between leaves the row, and the removal is finished again (deleting mail that is
/// already gone is harmless) by the next <see cref="RemoveAccountAsync"/> of the name, by
/// <see cref="CompletePendingRemovalsAsync"/> when the host starts, or by adding an account of that name.</item>
/// </list>
/// Adding an account deletes whatever mail the store still holds under the name before the account exists, under the
/// same lock: mail of a removed account, or of a message that was on its way to it while it was removed. The new
/// owner of a name never sees the old owner's mail.
/// </content>
public abstract partial class SqlAccountDirectory
{
    /// <inheritdoc />
    public async ValueTask<AccountAdministrationResult> RemoveAccountAsync(string accountName, CancellationToken cancellationToken)
    {
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        if (name is null)
        {
            return InvalidName(accountName);
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);

            // Addresses, aliases, app passwords and login history go with the account (ON DELETE CASCADE; foreign_keys is on).
            var removed = await ExecuteAsync(connection, transaction, "DELETE FROM accounts WHERE name = @name;", cancellationToken, ("@name", name)).ConfigureAwait(false);
            if (removed == 0)
            {
                if (!await IsRemovalPendingAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false))
                {
                    return UnknownAccount(name);
                }
            }
            else
            {
                await ExecuteAsync(
                    connection,
                    transaction,
                    "INSERT INTO removed_accounts (name, removed) VALUES (@name, @removed) ON CONFLICT (name) DO UPDATE SET removed = excluded.removed;",
                    cancellationToken,
                    ("@name", name),
                    ("@removed", NowMilliseconds())).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_mailStore is null)
        {
            return Changed($"Account '{name}' removed with its addresses, aliases and login history; its mail is deleted when the server next starts.");
        }

        var failure = await FinishRemovalAsync(name, cancellationToken).ConfigureAwait(false);
        return failure is null
            ? Changed($"Account '{name}' removed with its mail, addresses, aliases and login history.")
            : AccountAdministrationResult.Failure(
                AccountAdministrationError.MailRemovalPending,
                $"Account '{name}' removed with its addresses, aliases and login history, but its mail could not be deleted yet ({failure.Message}). Run the removal again, or start the server, to finish it; the name cannot be used again until then.");
    }

    /// <summary>
    /// Finishes every removal whose mail deletion was interrupted (see the remarks on the class); the host calls it at
    /// start. Does nothing without a mail store.
    /// </summary>
    /// <returns>How many removals were finished; those that failed again stay pending and are logged.</returns>
    public async Task<int> CompletePendingRemovalsAsync(CancellationToken cancellationToken)
    {
        if (_mailStore is null)
        {
            return 0;
        }

        List<string> pending;
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            pending = await ReadListAsync(connection, null, "SELECT name FROM removed_accounts ORDER BY name;", r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        }

        var finished = 0;
        foreach (var name in pending)
        {
            if (await FinishRemovalAsync(name, cancellationToken).ConfigureAwait(false) is { } failure)
            {
                AccountDirectoryLog.RemovalStillPending(_logger, name, failure.Message);
            }
            else
            {
                AccountDirectoryLog.RemovalFinished(_logger, name);
                finished++;
            }
        }

        return finished;
    }

    /// <summary>
    /// Deletes the mail of a removed account and then its <c>removed_accounts</c> row, holding the directory's write
    /// lock throughout: an account of the same name cannot be added in between and lose its first mail to this.
    /// </summary>
    /// <returns><see langword="null"/> when the removal is finished (also when another process finished it first), or why the mail store refused.</returns>
    private async Task<StoreError?> FinishRemovalAsync(string name, CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            if (!await IsRemovalPendingAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            var deleted = await _mailStore!.DeleteAccountAsync(name, cancellationToken).ConfigureAwait(false);
            if (deleted.Error is { Code: not StoreErrorCode.NotFound } refused)
            {
                return refused;
            }

            await ExecuteAsync(connection, transaction, "DELETE FROM removed_accounts WHERE name = @name;", cancellationToken, ("@name", name)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// Inside the transaction that adds account <paramref name="name"/>: empties the mail store of anything under the
    /// name and finishes a pending removal of it. The store commits first; should the directory transaction then fail,
    /// what was deleted belonged to no account.
    /// </summary>
    /// <returns><see langword="null"/> to go on, or the refusal.</returns>
    private async Task<AccountAdministrationResult?> ClearMailOfNewAccountAsync(
        DbConnection connection, DbTransaction transaction, string name, CancellationToken cancellationToken)
    {
        var pending = await IsRemovalPendingAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false);
        if (_mailStore is null)
        {
            return pending
                ? AccountAdministrationResult.Failure(
                    AccountAdministrationError.MailRemovalPending,
                    $"The mail of the removed account '{name}' has not been deleted yet; it is deleted when the server next starts. Add the account after that.")
                : null;
        }

        var deleted = await _mailStore.DeleteAccountAsync(name, cancellationToken).ConfigureAwait(false);
        if (deleted.Error is { Code: not StoreErrorCode.NotFound } refused)
        {
            return AccountAdministrationResult.Failure(
                AccountAdministrationError.MailRemovalPending,
                $"Account '{name}' was not added: the mail store still holds mail under that name and could not delete it ({refused.Message}).");
        }

        if (deleted.IsSuccess && !pending)
        {
            // Mail under a name no account had: delivered while its account was being removed, or left by an older
            // MailHost whose removal kept the mail.
            AccountDirectoryLog.LeftoverMailDeleted(_logger, name);
        }

        if (pending)
        {
            await ExecuteAsync(connection, transaction, "DELETE FROM removed_accounts WHERE name = @name;", cancellationToken, ("@name", name)).ConfigureAwait(false);
        }

        return null;
    }

    private static async Task<bool> IsRemovalPendingAsync(DbConnection connection, DbTransaction transaction, string name, CancellationToken cancellationToken)
    {
        using var command = CreateCommand(connection, transaction, "SELECT 1 FROM removed_accounts WHERE name = @name;", [("@name", name)]);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }
}
