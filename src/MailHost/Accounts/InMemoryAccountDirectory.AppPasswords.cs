using System.Security.Cryptography;

namespace MailHost.Accounts;

/// <content>App passwords and the account's choice to require them, held beside the accounts under the same lock.</content>
public sealed partial class InMemoryAccountDirectory : IAppPasswordAdministration
{
    private readonly Dictionary<string, List<StoredAppPassword>> _appPasswords = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public async ValueTask<AppPasswordCreated?> CreateAppPasswordAsync(
        string accountName, NewAppPassword appPassword, int iterations, CancellationToken cancellationToken)
    {
        AppPasswordFormat.Validate(appPassword, iterations);
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        if (name is null || await FindByNameAsync(name, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        // The derivation runs outside the lock: it takes as long as a login's.
        var (secret, record, tag) = AppPasswordSecrets.NewCredential(_serverSecret, iterations);
        lock (_lock)
        {
            if (!_accounts.ContainsKey(name))
            {
                return null;
            }

            var list = _appPasswords.TryGetValue(name, out var existing) ? existing : _appPasswords[name] = [];
            string id;
            do
            {
                id = AppPasswordSecrets.NewId();
            }
            while (list.Exists(stored => stored.Info.Id == id));

            // Milliseconds, as the SQL directories keep times.
            var created = DateTimeOffset.FromUnixTimeMilliseconds(_timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            var info = new AppPasswordInfo(id, appPassword.Name, appPassword.Protocols, [.. appPassword.Networks], appPassword.Expires, created, null);
            list.Add(new StoredAppPassword(info, record, tag));
            return new AppPasswordCreated(info, secret);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<AppPasswordInfo>?> ListAppPasswordsAsync(string accountName, CancellationToken cancellationToken)
    {
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        lock (_lock)
        {
            if (name is null || !_accounts.ContainsKey(name))
            {
                return ValueTask.FromResult<IReadOnlyList<AppPasswordInfo>?>(null);
            }

            IReadOnlyList<AppPasswordInfo> list = _appPasswords.TryGetValue(name, out var stored)
                ? [.. stored.Select(s => s.Info).OrderByDescending(i => i.Created).ThenBy(i => i.Id, StringComparer.Ordinal)]
                : [];
            return ValueTask.FromResult<IReadOnlyList<AppPasswordInfo>?>(list);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RevokeAppPasswordAsync(string accountName, string id, CancellationToken cancellationToken)
    {
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        var canonical = AppPasswordSecrets.CanonicalizeId(id);
        lock (_lock)
        {
            var removed = name is not null && canonical is not null && _appPasswords.TryGetValue(name, out var list)
                && list.RemoveAll(stored => stored.Info.Id == canonical) > 0;
            return ValueTask.FromResult(removed);
        }
    }

    /// <inheritdoc />
    public ValueTask<AccountAdministrationResult> SetAppPasswordsRequiredAsync(string accountName, bool required, CancellationToken cancellationToken)
    {
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        if (name is null)
        {
            return ValueTask.FromResult(AccountAdministrationResult.Failure(AccountAdministrationError.InvalidName, $"{Sql.DirectoryText.Quote(accountName)} is not a valid account name."));
        }

        lock (_lock)
        {
            if (!_accounts.TryGetValue(name, out var account))
            {
                return ValueTask.FromResult(AccountAdministrationResult.Failure(AccountAdministrationError.UnknownAccount, $"There is no account '{name}'."));
            }

            _accounts[name] = account with { RequiresAppPasswords = required };
        }

        return ValueTask.FromResult(AccountAdministrationResult.Success(AppPasswordsRequiredMessage(name, required)));
    }

    /// <inheritdoc />
    public ValueTask<AppPasswordCredential?> FindAppPasswordAsync(string accountName, ReadOnlyMemory<byte> lookupTag, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var found = _appPasswords.TryGetValue(accountName, out var list)
                ? list.Find(stored => CryptographicOperations.FixedTimeEquals(stored.LookupTag, lookupTag.Span))
                : null;
            return ValueTask.FromResult(found is null ? null : new AppPasswordCredential(found.Info, found.Record));
        }
    }

    /// <inheritdoc />
    public ValueTask RecordAppPasswordUseAsync(string accountName, string id, AppPasswordUse use, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(use);
        lock (_lock)
        {
            if (_appPasswords.TryGetValue(accountName, out var list) && list.FindIndex(stored => stored.Info.Id == id) is var index and >= 0)
            {
                list[index] = list[index] with { Info = list[index].Info with { LastUse = use } };
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>What <see cref="SetAppPasswordsRequiredAsync"/> says it did; the SQL directories say the same.</summary>
    internal static string AppPasswordsRequiredMessage(string name, bool required) => required
        ? $"Account '{name}' now requires app passwords: its own password is refused for IMAP, POP3 and SMTP."
        : $"Account '{name}' accepts its own password for IMAP, POP3 and SMTP again.";

    private sealed record StoredAppPassword(AppPasswordInfo Info, PasswordRecord Record, byte[] LookupTag);
}
