namespace MailHost.Accounts;

/// <summary>
/// Changes and inspects the account directory: local domains, accounts with their addresses and password
/// records, aliases, and login history. The operator's side of <see cref="IAccountDirectory"/>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Every name, address and domain passed in is put through <see cref="MailAddressCanonicalizer"/> first, so
/// <c>Alice@Example.COM</c> and <c>alice@example.com</c> are the same address; input that has no canonical form is
/// refused with <see cref="AccountAdministrationError.InvalidName"/>, <see cref="AccountAdministrationError.InvalidAddress"/>
/// or <see cref="AccountAdministrationError.InvalidDomain"/>.</item>
/// <item>The domain of every address and alias must be a local domain.</item>
/// <item>An address belongs to at most one account, as an address or as an alias, never both.</item>
/// <item>Refusals are results, not exceptions; exceptions mean the store itself failed. A successful change is
/// durable when the call returns.</item>
/// <item>Implementations are safe for concurrent use, also from several processes sharing one directory.</item>
/// </list>
/// </remarks>
public interface IAccountAdministration
{
    /// <summary>Makes <paramref name="domain"/> a local domain.</summary>
    ValueTask<AccountAdministrationResult> AddDomainAsync(string domain, CancellationToken cancellationToken);

    /// <summary>The local domains in canonical form, sorted ordinally.</summary>
    ValueTask<IReadOnlyList<string>> ListDomainsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Removes a local domain. Refused with <see cref="AccountAdministrationError.DomainInUse"/> while any address
    /// or alias is in it.
    /// </summary>
    ValueTask<AccountAdministrationResult> RemoveDomainAsync(string domain, CancellationToken cancellationToken);

    /// <summary>
    /// Creates an account with its own addresses (kept in the order given; duplicates after canonicalisation are
    /// merged) and a password record. All or nothing: when one address is refused, nothing is created. The account
    /// starts with no mail: whatever the mail store still holds under the name (from a removed account) is deleted
    /// first, and while that is not possible the request is refused with
    /// <see cref="AccountAdministrationError.MailRemovalPending"/>.
    /// </summary>
    /// <param name="accountName">The account name.</param>
    /// <param name="addresses">The account's own addresses; may be empty for an account that only logs in.</param>
    /// <param name="password">The password record, or <see langword="null"/> for an account that cannot log in yet.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    ValueTask<AccountAdministrationResult> AddAccountAsync(
        string accountName,
        IReadOnlyList<string> addresses,
        PasswordRecord? password,
        CancellationToken cancellationToken);

    /// <summary>Every account with its addresses and aliases, sorted by name.</summary>
    ValueTask<IReadOnlyList<AccountInfo>> ListAccountsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// One account with its addresses, aliases and up to <paramref name="recentLogins"/> login attempts (newest
    /// first); <see langword="null"/> when there is no such account (including a name that cannot be one).
    /// </summary>
    ValueTask<AccountDetails?> GetAccountAsync(string accountName, int recentLogins, CancellationToken cancellationToken);

    /// <summary>Replaces the account's password record.</summary>
    ValueTask<AccountAdministrationResult> SetPasswordAsync(string accountName, PasswordRecord password, CancellationToken cancellationToken);

    /// <summary>Disables or re-enables an account. A disabled account cannot log in and receives no mail.</summary>
    ValueTask<AccountAdministrationResult> SetDisabledAsync(string accountName, bool disabled, CancellationToken cancellationToken);

    /// <summary>
    /// Removes an account together with its addresses, aliases, app passwords and login history and, in the mail store the directory
    /// works with, its mail (<see cref="Storage.IMailStore.DeleteAccountAsync"/>): mailboxes, messages, content no
    /// other account uses, quota. An interruption leaves the account either whole or gone from the directory with its
    /// mail marked for deletion; a marked removal is finished before the name can be used again, so a new account of
    /// the same name always starts empty. Refused with <see cref="AccountAdministrationError.MailRemovalPending"/> when
    /// the mail could not be deleted yet (the account is gone from the directory all the same).
    /// </summary>
    ValueTask<AccountAdministrationResult> RemoveAccountAsync(string accountName, CancellationToken cancellationToken);

    /// <summary>Makes <paramref name="aliasAddress"/> deliver to <paramref name="accountName"/>.</summary>
    ValueTask<AccountAdministrationResult> AddAliasAsync(string aliasAddress, string accountName, CancellationToken cancellationToken);

    /// <summary>Every alias, sorted by address.</summary>
    ValueTask<IReadOnlyList<AliasInfo>> ListAliasesAsync(CancellationToken cancellationToken);

    /// <summary>Removes an alias. An account's own address is not an alias and is refused with <see cref="AccountAdministrationError.UnknownAlias"/>.</summary>
    ValueTask<AccountAdministrationResult> RemoveAliasAsync(string aliasAddress, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="maxCount"/> of the account's recorded login attempts, most recently recorded first;
    /// empty for an unknown account.
    /// </summary>
    ValueTask<IReadOnlyList<LoginRecord>> GetRecentLoginsAsync(string accountName, int maxCount, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="maxCount"/> of the recorded login attempts that matched no account, most recently
    /// recorded first.
    /// </summary>
    ValueTask<IReadOnlyList<LoginRecord>> GetRecentUnresolvedLoginsAsync(int maxCount, CancellationToken cancellationToken);
}
