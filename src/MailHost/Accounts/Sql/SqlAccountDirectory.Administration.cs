using System.Data.Common;
using System.Globalization;

namespace MailHost.Accounts.Sql;

/// <content>The <see cref="IAccountAdministration"/> side of the directory.</content>
public abstract partial class SqlAccountDirectory
{
    /// <inheritdoc />
    public async ValueTask<AccountAdministrationResult> AddDomainAsync(string domain, CancellationToken cancellationToken)
    {
        var canonical = MailAddressCanonicalizer.CanonicalizeDomain(domain);
        if (canonical is null)
        {
            return InvalidDomain(domain);
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            if (await FindDomainIdAsync(connection, transaction, canonical, cancellationToken).ConfigureAwait(false) is not null)
            {
                return AccountAdministrationResult.Failure(AccountAdministrationError.DuplicateDomain, $"Domain '{canonical}' is already a local domain.");
            }

            await ExecuteAsync(connection, transaction, "INSERT INTO domains (name, created) VALUES (@name, @created);", cancellationToken, ("@name", canonical), ("@created", NowMilliseconds())).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return Changed($"Domain '{canonical}' added.");
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<string>> ListDomainsAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ReadListAsync(connection, null, "SELECT name FROM domains ORDER BY name;", r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<AccountAdministrationResult> RemoveDomainAsync(string domain, CancellationToken cancellationToken)
    {
        var canonical = MailAddressCanonicalizer.CanonicalizeDomain(domain);
        if (canonical is null)
        {
            return InvalidDomain(domain);
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            var domainId = await FindDomainIdAsync(connection, transaction, canonical, cancellationToken).ConfigureAwait(false);
            if (domainId is null)
            {
                return UnknownDomain(canonical);
            }

            using (var count = CreateCommand(
                connection,
                transaction,
                "SELECT (SELECT count(*) FROM addresses WHERE domain_id = @domain), (SELECT count(*) FROM aliases WHERE domain_id = @domain);",
                [("@domain", domainId.Value)]))
            {
                var reader = await count.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    var addresses = reader.GetInt64(0);
                    var aliases = reader.GetInt64(1);
                    if (addresses + aliases > 0)
                    {
                        return AccountAdministrationResult.Failure(
                            AccountAdministrationError.DomainInUse,
                            string.Create(CultureInfo.InvariantCulture, $"Domain '{canonical}' is still used by {addresses} address(es) and {aliases} alias(es); remove them first."));
                    }
                }
            }

            await ExecuteAsync(connection, transaction, "DELETE FROM domains WHERE id = @domain;", cancellationToken, ("@domain", domainId.Value)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return Changed($"Domain '{canonical}' removed.");
        }
    }

    /// <inheritdoc />
    public async ValueTask<AccountAdministrationResult> AddAccountAsync(
        string accountName, IReadOnlyList<string> addresses, PasswordRecord? password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        if (name is null)
        {
            return InvalidName(accountName);
        }

        var canonicalAddresses = new List<string>(addresses.Count);
        foreach (var address in addresses)
        {
            var canonical = MailAddressCanonicalizer.CanonicalizeAddress(address);
            if (canonical is null)
            {
                return InvalidAddress(address);
            }

            if (!canonicalAddresses.Contains(canonical))
            {
                canonicalAddresses.Add(canonical);
            }
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            if (await FindAccountAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false) is not null)
            {
                return AccountAdministrationResult.Failure(AccountAdministrationError.DuplicateAccount, $"Account '{name}' already exists.");
            }

            if (await ClearMailOfNewAccountAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false) is { } notCleared)
            {
                return notCleared;
            }

            var domainIds = new List<long>(canonicalAddresses.Count);
            foreach (var address in canonicalAddresses)
            {
                var (domainId, refusal) = await CheckNewAddressAsync(connection, transaction, address, cancellationToken).ConfigureAwait(false);
                if (refusal is { } refused)
                {
                    return refused;
                }

                domainIds.Add(domainId);
            }

            using (var insert = CreateCommand(
                connection,
                transaction,
                "INSERT INTO accounts (name, password, disabled, created) VALUES (@name, @password, @disabled, @created) RETURNING id;",
                [("@name", name), ("@password", password?.ToString()), ("@disabled", false), ("@created", NowMilliseconds())]))
            {
                var accountId = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
                for (var i = 0; i < canonicalAddresses.Count; i++)
                {
                    await ExecuteAsync(
                        connection,
                        transaction,
                        "INSERT INTO addresses (address, account_id, domain_id) VALUES (@address, @account, @domain);",
                        cancellationToken,
                        ("@address", canonicalAddresses[i]),
                        ("@account", accountId),
                        ("@domain", domainIds[i])).ConfigureAwait(false);
                }
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return Changed(canonicalAddresses.Count == 0
                ? $"Account '{name}' added without addresses."
                : $"Account '{name}' added with {string.Join(", ", canonicalAddresses)}.");
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<AccountInfo>> ListAccountsAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = await BeginReadAsync(connection, cancellationToken).ConfigureAwait(false);
            var addresses = await ReadAddressMapAsync(connection, transaction, "SELECT account_id, address FROM addresses ORDER BY id;", cancellationToken).ConfigureAwait(false);
            var aliases = await ReadAddressMapAsync(connection, transaction, "SELECT account_id, address FROM aliases ORDER BY id;", cancellationToken).ConfigureAwait(false);
            using var command = CreateCommand(connection, transaction, "SELECT id, name, disabled, require_app_passwords FROM accounts ORDER BY name;", []);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var accounts = new List<AccountInfo>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var id = reader.GetInt64(0);
                    accounts.Add(new AccountInfo(
                        reader.GetString(1),
                        addresses.TryGetValue(id, out var own) ? own : [],
                        aliases.TryGetValue(id, out var alias) ? alias : [],
                        reader.GetBoolean(2))
                    {
                        RequiresAppPasswords = reader.GetBoolean(3),
                    });
                }

                return accounts;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<AccountDetails?> GetAccountAsync(string accountName, int recentLogins, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(recentLogins);
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        if (name is null)
        {
            return null;
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = await BeginReadAsync(connection, cancellationToken).ConfigureAwait(false);
            var account = await FindAccountAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false);
            if (account is null)
            {
                return null;
            }

            var info = await LoadAccountInfoAsync(connection, transaction, account, cancellationToken).ConfigureAwait(false);
            var logins = await ReadLoginsAsync(connection, transaction, account, recentLogins, cancellationToken).ConfigureAwait(false);
            return new AccountDetails(info, ParsePassword(account) is not null, account.Created, logins, account.Administrator, account.HasTotp);
        }
    }

    /// <inheritdoc />
    public async ValueTask<AccountAdministrationResult> SetPasswordAsync(string accountName, PasswordRecord password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(password);
        return await UpdateAccountAsync(
            accountName,
            "UPDATE accounts SET password = @value WHERE name = @name;",
            password.ToString(),
            name => $"Password of account '{name}' changed.",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<AccountAdministrationResult> SetDisabledAsync(string accountName, bool disabled, CancellationToken cancellationToken)
        => UpdateAccountAsync(
            accountName,
            "UPDATE accounts SET disabled = @value WHERE name = @name;",
            disabled,
            name => disabled ? $"Account '{name}' disabled." : $"Account '{name}' enabled.",
            cancellationToken);

    /// <inheritdoc />
    public async ValueTask<AccountAdministrationResult> AddAliasAsync(string aliasAddress, string accountName, CancellationToken cancellationToken)
    {
        var address = MailAddressCanonicalizer.CanonicalizeAddress(aliasAddress);
        if (address is null)
        {
            return InvalidAddress(aliasAddress);
        }

        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        if (name is null)
        {
            return InvalidName(accountName);
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            var account = await FindAccountAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false);
            if (account is null)
            {
                return UnknownAccount(name);
            }

            var (domainId, refusal) = await CheckNewAddressAsync(connection, transaction, address, cancellationToken).ConfigureAwait(false);
            if (refusal is { } refused)
            {
                return refused;
            }

            await ExecuteAsync(
                connection,
                transaction,
                "INSERT INTO aliases (address, account_id, domain_id) VALUES (@address, @account, @domain);",
                cancellationToken,
                ("@address", address),
                ("@account", account.Id),
                ("@domain", domainId)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return Changed($"Alias '{address}' now delivers to account '{name}'.");
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<AliasInfo>> ListAliasesAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ReadListAsync(
                connection,
                null,
                "SELECT aliases.address, accounts.name FROM aliases JOIN accounts ON accounts.id = aliases.account_id ORDER BY aliases.address;",
                r => new AliasInfo(r.GetString(0), r.GetString(1)),
                cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<AccountAdministrationResult> RemoveAliasAsync(string aliasAddress, CancellationToken cancellationToken)
    {
        var address = MailAddressCanonicalizer.CanonicalizeAddress(aliasAddress);
        if (address is null)
        {
            return InvalidAddress(aliasAddress);
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            var removed = await ExecuteAsync(connection, transaction, "DELETE FROM aliases WHERE address = @address;", cancellationToken, ("@address", address)).ConfigureAwait(false);
            if (removed == 0)
            {
                var owner = await FindAddressOwnerAsync(connection, transaction, address, cancellationToken).ConfigureAwait(false);
                return AccountAdministrationResult.Failure(
                    AccountAdministrationError.UnknownAlias,
                    owner is { } o
                        ? $"'{address}' is an address of account '{o.AccountName}', not an alias; it goes when the account is removed."
                        : $"There is no alias '{address}'.");
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return Changed($"Alias '{address}' removed.");
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<LoginRecord>> GetRecentLoginsAsync(string accountName, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        if (name is null)
        {
            return [];
        }

        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var transaction = await BeginReadAsync(connection, cancellationToken).ConfigureAwait(false);
            var account = await FindAccountAsync(connection, transaction, name, cancellationToken).ConfigureAwait(false);
            return account is null ? [] : await ReadLoginsAsync(connection, transaction, account, maxCount, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<LoginRecord>> GetRecentUnresolvedLoginsAsync(int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ReadListAsync(
                connection,
                null,
                "SELECT time, login, protocol, mechanism, remote_endpoint, tls, client_name, outcome, account_name FROM unresolved_logins ORDER BY id DESC LIMIT @limit;",
                r => ReadLogin(r, r.IsDBNull(8) ? null : r.GetString(8)),
                cancellationToken,
                ("@limit", maxCount)).ConfigureAwait(false);
        }
    }

    private async ValueTask<AccountAdministrationResult> UpdateAccountAsync(
        string accountName, string sql, object value, Func<string, string> describe, CancellationToken cancellationToken)
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
            if (await ExecuteAsync(connection, transaction, sql, cancellationToken, ("@name", name), ("@value", value)).ConfigureAwait(false) == 0)
            {
                return UnknownAccount(name);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return Changed(describe(name));
        }
    }

    /// <summary>The domain id for a new address or alias, or why it cannot be added.</summary>
    private static async Task<(long DomainId, AccountAdministrationResult? Refusal)> CheckNewAddressAsync(
        DbConnection connection, DbTransaction transaction, string address, CancellationToken cancellationToken)
    {
        var domain = address[(address.LastIndexOf('@') + 1)..];
        var domainId = await FindDomainIdAsync(connection, transaction, domain, cancellationToken).ConfigureAwait(false);
        if (domainId is null)
        {
            return (0, AccountAdministrationResult.Failure(
                AccountAdministrationError.UnknownDomain,
                $"The domain of '{address}' is not a local domain; add it first with 'domains add {domain}'."));
        }

        var owner = await FindAddressOwnerAsync(connection, transaction, address, cancellationToken).ConfigureAwait(false);
        if (owner is { } o)
        {
            return (0, AccountAdministrationResult.Failure(
                AccountAdministrationError.DuplicateAddress,
                o.IsAlias
                    ? $"'{address}' is already an alias of account '{o.AccountName}'."
                    : $"'{address}' is already an address of account '{o.AccountName}'."));
        }

        return (domainId.Value, null);
    }

    private static async Task<Dictionary<long, List<string>>> ReadAddressMapAsync(
        DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        using var command = CreateCommand(connection, transaction, sql, []);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var map = new Dictionary<long, List<string>>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var id = reader.GetInt64(0);
                if (!map.TryGetValue(id, out var list))
                {
                    map[id] = list = [];
                }

                list.Add(reader.GetString(1));
            }

            return map;
        }
    }

    private static Task<List<LoginRecord>> ReadLoginsAsync(
        DbConnection connection, DbTransaction transaction, AccountRow account, int maxCount, CancellationToken cancellationToken) =>
        ReadListAsync(
            connection,
            transaction,
            "SELECT time, login, protocol, mechanism, remote_endpoint, tls, client_name, outcome, app_password_id, app_password_name, token_issuer FROM login_history WHERE account_id = @account ORDER BY id DESC LIMIT @limit;",
            r => ReadLogin(r, account.Name) with
            {
                AppPasswordId = r.IsDBNull(8) ? null : r.GetString(8),
                AppPasswordName = r.IsDBNull(9) ? null : r.GetString(9),
                TokenIssuer = r.IsDBNull(10) ? null : r.GetString(10),
            },
            cancellationToken,
            ("@account", account.Id),
            ("@limit", maxCount));

    private AccountAdministrationResult Changed(string message)
    {
        AccountDirectoryLog.Changed(_logger, message);
        return AccountAdministrationResult.Success(message);
    }

    private static AccountAdministrationResult InvalidName(string? input) => AccountAdministrationResult.Failure(
        AccountAdministrationError.InvalidName,
        string.Create(CultureInfo.InvariantCulture, $"{DirectoryText.Quote(input)} is not a valid account name: use letters, digits, '.', '_' and '-', at most {MailAddressCanonicalizer.MaxAccountNameLength} characters."));

    private static AccountAdministrationResult InvalidAddress(string? input) => AccountAdministrationResult.Failure(
        AccountAdministrationError.InvalidAddress,
        $"{DirectoryText.Quote(input)} is not a valid address: expected local@domain with a plain (unquoted) local part.");

    private static AccountAdministrationResult InvalidDomain(string? input) => AccountAdministrationResult.Failure(
        AccountAdministrationError.InvalidDomain,
        $"{DirectoryText.Quote(input)} is not a valid domain name.");

    private static AccountAdministrationResult UnknownDomain(string domain) => AccountAdministrationResult.Failure(
        AccountAdministrationError.UnknownDomain, $"'{domain}' is not a local domain.");

    private static AccountAdministrationResult UnknownAccount(string name) => AccountAdministrationResult.Failure(
        AccountAdministrationError.UnknownAccount, $"There is no account '{name}'.");
}
