namespace MailHost.Accounts;

/// <summary>
/// An <see cref="IAccountDirectory"/> held in memory, for tests and small embedded set-ups: domains, accounts,
/// addresses, aliases and passwords are added through its methods, app passwords through
/// <see cref="IAppPasswordAdministration"/>, and the login history of each account can be read back. Thread-safe.
/// Nothing survives the process.
/// </summary>
/// <remarks>
/// The mutating methods canonicalise their arguments with <see cref="MailAddressCanonicalizer"/> and throw
/// <see cref="ArgumentException"/> for names or addresses that have no canonical form, and
/// <see cref="InvalidOperationException"/> for conflicts (an address that is already taken, an unknown account, a
/// domain that is not local). The lookups of <see cref="IAccountDirectory"/> compare canonical forms exactly.
/// </remarks>
public sealed partial class InMemoryAccountDirectory : IAccountDirectory
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _domains = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AccountInfo> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _addressOwners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PasswordRecord> _passwords = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<LoginRecord>> _history = new(StringComparer.Ordinal);
    private readonly Queue<LoginRecord> _unmatchedHistory = new();
    private readonly byte[] _serverSecret = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates an empty directory.</summary>
    /// <param name="maxLoginHistory">Login records kept per account, and for attempts that matched no account.</param>
    /// <param name="timeProvider">The clock for the creation time of app passwords; <see langword="null"/> for the system clock.</param>
    public InMemoryAccountDirectory(int maxLoginHistory = 100, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLoginHistory);
        MaxLoginHistory = maxLoginHistory;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Login records kept per account (and for unmatched attempts); older ones are dropped.</summary>
    public int MaxLoginHistory { get; }

    /// <summary>Adds a local domain (idempotent).</summary>
    public void AddDomain(string domain)
    {
        var canonical = MailAddressCanonicalizer.CanonicalizeDomain(domain) ?? throw Invalid(nameof(domain), domain);
        lock (_lock)
        {
            _domains.Add(canonical);
        }
    }

    /// <summary>Adds an account, optionally with a password; returns it as the directory will report it.</summary>
    /// <param name="name">The account name (canonicalised).</param>
    /// <param name="password">A password to derive a <see cref="PasswordRecord"/> from, or <see langword="null"/> for none.</param>
    /// <param name="iterations">PBKDF2 iterations for the password record.</param>
    public AccountInfo AddAccount(string name, string? password = null, int iterations = PasswordRecord.DefaultIterations)
    {
        var canonical = MailAddressCanonicalizer.CanonicalizeAccountName(name) ?? throw Invalid(nameof(name), name);
        var record = password is null ? null : PasswordRecord.Create(password, iterations);
        var account = new AccountInfo(canonical, [], []);
        lock (_lock)
        {
            if (!_accounts.TryAdd(canonical, account))
            {
                throw new InvalidOperationException($"Account '{canonical}' already exists.");
            }

            if (record is not null)
            {
                _passwords[canonical] = record;
            }
        }

        return account;
    }

    /// <summary>Gives <paramref name="accountName"/> its own address in a local domain.</summary>
    public void AddAddress(string accountName, string address) => AddAddressCore(accountName, address, isAlias: false);

    /// <summary>Makes <paramref name="alias"/> (in a local domain) deliver to <paramref name="accountName"/>.</summary>
    public void AddAlias(string accountName, string alias) => AddAddressCore(accountName, alias, isAlias: true);

    /// <summary>Sets a new password (a fresh salt) for an existing account.</summary>
    public void SetPassword(string accountName, string password, int iterations = PasswordRecord.DefaultIterations) =>
        SetPasswordRecord(accountName, PasswordRecord.Create(password, iterations));

    /// <summary>Sets or, with <see langword="null"/>, removes the password record of an existing account.</summary>
    public void SetPasswordRecord(string accountName, PasswordRecord? record)
    {
        var name = CanonicalAccount(accountName);
        lock (_lock)
        {
            RequireAccount(name);
            if (record is null)
            {
                _passwords.Remove(name);
            }
            else
            {
                _passwords[name] = record;
            }
        }
    }

    /// <summary>Disables or enables an existing account.</summary>
    public void SetDisabled(string accountName, bool disabled)
    {
        var name = CanonicalAccount(accountName);
        lock (_lock)
        {
            _accounts[name] = RequireAccount(name) with { Disabled = disabled };
        }
    }

    /// <summary>
    /// The recorded login attempts of <paramref name="accountName"/>, oldest first; with <see langword="null"/>, the
    /// attempts that matched no account.
    /// </summary>
    public IReadOnlyList<LoginRecord> GetLoginHistory(string? accountName)
    {
        lock (_lock)
        {
            if (accountName is null)
            {
                return [.. _unmatchedHistory];
            }

            var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
            return name is not null && _history.TryGetValue(name, out var queue) ? [.. queue] : [];
        }
    }

    /// <inheritdoc />
    public ValueTask<AccountInfo?> FindByNameAsync(string accountName, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_accounts.GetValueOrDefault(accountName));
        }
    }

    /// <inheritdoc />
    public ValueTask<AccountInfo?> FindByAddressAsync(string address, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_addressOwners.TryGetValue(address, out var owner) ? _accounts.GetValueOrDefault(owner) : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<PasswordRecord?> GetPasswordRecordAsync(string accountName, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_passwords.GetValueOrDefault(accountName));
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> IsLocalDomainAsync(string domain, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_domains.Contains(domain));
        }
    }

    /// <inheritdoc />
    public ValueTask RecordLoginAsync(LoginRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_lock)
        {
            Queue<LoginRecord> queue;
            if (record.AccountName is not null && _accounts.ContainsKey(record.AccountName))
            {
                if (!_history.TryGetValue(record.AccountName, out queue!))
                {
                    queue = new Queue<LoginRecord>();
                    _history[record.AccountName] = queue;
                }
            }
            else
            {
                queue = _unmatchedHistory;
            }

            if (record.IsUnchecked && queue.Count(r => r.IsUnchecked) >= LoginRecord.MaxUncheckedPerAccount)
            {
                // The oldest unchecked refusal makes room, not the oldest record (IAccountDirectory.RecordLoginAsync).
                var oldest = queue.First(r => r.IsUnchecked);
                var kept = queue.Where(r => !ReferenceEquals(r, oldest)).ToList();
                queue.Clear();
                kept.ForEach(queue.Enqueue);
            }

            queue.Enqueue(record);
            while (queue.Count > MaxLoginHistory)
            {
                queue.Dequeue();
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<bool> ReplacePasswordRecordAsync(
        string accountName, PasswordRecord expected, PasswordRecord replacement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(replacement);
        lock (_lock)
        {
            if (!_passwords.TryGetValue(accountName, out var current)
                || !string.Equals(current.ToString(), expected.ToString(), StringComparison.Ordinal))
            {
                return ValueTask.FromResult(false);
            }

            _passwords[accountName] = replacement;
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    /// <remarks>Made when the directory is created: nothing of this directory outlives the process anyway.</remarks>
    public ValueTask<ReadOnlyMemory<byte>?> GetServerSecretAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<ReadOnlyMemory<byte>?>(_serverSecret);

    private static ArgumentException Invalid(string parameter, string? value) =>
        new($"'{value}' has no canonical form.", parameter);

    private static string CanonicalAccount(string accountName) =>
        MailAddressCanonicalizer.CanonicalizeAccountName(accountName) ?? throw Invalid(nameof(accountName), accountName);

    private AccountInfo RequireAccount(string name) =>
        _accounts.TryGetValue(name, out var account) ? account : throw new InvalidOperationException($"No account '{name}'.");

    private void AddAddressCore(string accountName, string address, bool isAlias)
    {
        var name = CanonicalAccount(accountName);
        var canonical = MailAddressCanonicalizer.CanonicalizeAddress(address) ?? throw Invalid(nameof(address), address);
        lock (_lock)
        {
            var account = RequireAccount(name);
            if (!_domains.Contains(canonical[(canonical.LastIndexOf('@') + 1)..]))
            {
                throw new InvalidOperationException($"The domain of '{canonical}' is not a local domain.");
            }

            if (!_addressOwners.TryAdd(canonical, name))
            {
                throw new InvalidOperationException($"Address '{canonical}' already belongs to '{_addressOwners[canonical]}'.");
            }

            _accounts[name] = isAlias
                ? account with { Aliases = [.. account.Aliases, canonical] }
                : account with { Addresses = [.. account.Addresses, canonical] };
        }
    }
}
