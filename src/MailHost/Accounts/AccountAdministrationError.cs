namespace MailHost.Accounts;

/// <summary>Why an account-administration request was refused.</summary>
public enum AccountAdministrationError
{
    /// <summary>No error: the request succeeded.</summary>
    None,

    /// <summary>The account name is not a valid account name (see <see cref="MailAddressCanonicalizer.CanonicalizeAccountName"/>).</summary>
    InvalidName,

    /// <summary>An address is not a plain <c>local@domain</c> address (see <see cref="MailAddressCanonicalizer.CanonicalizeAddress"/>).</summary>
    InvalidAddress,

    /// <summary>The domain is not a valid domain name (see <see cref="MailAddressCanonicalizer.CanonicalizeDomain"/>).</summary>
    InvalidDomain,

    /// <summary>The domain (of an address, or the one named) is not a local domain.</summary>
    UnknownDomain,

    /// <summary>No account has that name.</summary>
    UnknownAccount,

    /// <summary>No alias has that address.</summary>
    UnknownAlias,

    /// <summary>The domain is already a local domain.</summary>
    DuplicateDomain,

    /// <summary>An account with that name already exists.</summary>
    DuplicateAccount,

    /// <summary>The address is already an account address or an alias.</summary>
    DuplicateAddress,

    /// <summary>The domain cannot be removed while addresses or aliases still use it.</summary>
    DomainInUse,

    /// <summary>
    /// The mail of a removed account could not be deleted yet (the mail store failed, or none is attached). The account
    /// is gone from the directory; the removal finishes when the host next starts or when it is run again, and the
    /// name cannot be used for a new account until then.
    /// </summary>
    MailRemovalPending,

    /// <summary>The password is not acceptable (empty, or longer than the server accepts).</summary>
    InvalidPassword,
}
