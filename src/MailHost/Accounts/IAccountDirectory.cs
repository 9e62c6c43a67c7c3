namespace MailHost.Accounts;

/// <summary>
/// Read access to accounts, addresses and password records, as the protocol sessions need it.
/// Implementations must be safe for concurrent use and must not assume a single process:
/// several hosts may share one directory.
/// </summary>
/// <remarks>
/// Every name and address passed in is already in canonical form (see <see cref="MailAddressCanonicalizer"/>);
/// implementations compare exactly.
/// </remarks>
public interface IAccountDirectory
{
    /// <summary>Finds an account by its canonical account name; <see langword="null"/> when there is none.</summary>
    ValueTask<AccountInfo?> FindByNameAsync(string accountName, CancellationToken cancellationToken);

    /// <summary>
    /// Finds the account that owns <paramref name="address"/>, either as one of its addresses or as an alias;
    /// <see langword="null"/> when no account has it.
    /// </summary>
    ValueTask<AccountInfo?> FindByAddressAsync(string address, CancellationToken cancellationToken);

    /// <summary>Returns the account's password record, or <see langword="null"/> if it has none (cannot log in).</summary>
    ValueTask<PasswordRecord?> GetPasswordRecordAsync(string accountName, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="domain"/> (canonical, lower case, no trailing dot) is a local domain.</summary>
    ValueTask<bool> IsLocalDomainAsync(string domain, CancellationToken cancellationToken);

    /// <summary>
    /// Appends a login attempt to the history of <see cref="LoginRecord.AccountName"/> (if any). The history is
    /// bounded; the oldest entries are dropped. Attempts that matched no account may be kept in a global history.
    /// </summary>
    /// <remarks>
    /// Attempts refused without a password check (<see cref="LoginOutcome.EmptyPassword"/>,
    /// <see cref="LoginOutcome.Throttled"/>) should take at most <see cref="LoginRecord.MaxUncheckedPerAccount"/> places of an
    /// account's history, dropping the oldest of their kind first, so that a loop of them cannot push out the record
    /// of the owner's real logins.
    /// </remarks>
    ValueTask RecordLoginAsync(LoginRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the password record of <paramref name="accountName"/> with <paramref name="replacement"/> only if the
    /// stored record is still <paramref name="expected"/> (same text form), so that a re-derivation after a login
    /// can never undo a password change made meanwhile. Returns whether it replaced it. The default does nothing and
    /// returns <see langword="false"/>: a directory that cannot write keeps its records as they are.
    /// </summary>
    ValueTask<bool> ReplacePasswordRecordAsync(
        string accountName, PasswordRecord expected, PasswordRecord replacement, CancellationToken cancellationToken) =>
        ValueTask.FromResult(false);

    /// <summary>
    /// A random secret of at least 32 bytes kept by the directory, made on first use and never changed afterwards,
    /// the same for every host sharing the directory. It keys the fake SCRAM salt of logins without an account, so
    /// that the salt an unknown login gets is as stable across restarts and hosts as a real account's. The default
    /// returns <see langword="null"/>: the authenticators then use a secret made for each process.
    /// </summary>
    ValueTask<ReadOnlyMemory<byte>?> GetServerSecretAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<ReadOnlyMemory<byte>?>(null);

    /// <summary>
    /// Finds the app password of <paramref name="accountName"/> whose secret has the lookup tag
    /// <paramref name="lookupTag"/>: a truncated HMAC-SHA-256 of the secret under <see cref="GetServerSecretAsync"/>,
    /// stored beside its record when the directory created it (<see cref="IAppPasswordAdministration"/>). So a login
    /// checks one record, whatever the number of app passwords. <see langword="null"/> when none has that tag. The
    /// default returns <see langword="null"/>: a directory without app passwords.
    /// </summary>
    ValueTask<AppPasswordCredential?> FindAppPasswordAsync(string accountName, ReadOnlyMemory<byte> lookupTag, CancellationToken cancellationToken) =>
        ValueTask.FromResult<AppPasswordCredential?>(null);

    /// <summary>
    /// Records a successful login with app password <paramref name="id"/> of <paramref name="accountName"/> as its last
    /// use: one small write, made after the login was verified (a failure is the caller's to log; the login stands).
    /// Nothing happens when the app password is gone meanwhile. The default does nothing.
    /// </summary>
    ValueTask RecordAppPasswordUseAsync(string accountName, string id, AppPasswordUse use, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;
}
