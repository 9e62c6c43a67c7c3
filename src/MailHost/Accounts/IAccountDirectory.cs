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
    ValueTask RecordLoginAsync(LoginRecord record, CancellationToken cancellationToken);
}
