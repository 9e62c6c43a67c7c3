namespace MailHost.Accounts;

/// <summary>
/// An account as the directory knows it: its unique name (the canonical, lower-case account name)
/// and every address that delivers to it (its own addresses first, then aliases).
/// </summary>
/// <param name="Name">The canonical account name, unique in the directory.</param>
/// <param name="Addresses">The account's own e-mail addresses, canonical form.</param>
/// <param name="Aliases">Alias addresses that deliver to the account, canonical form.</param>
/// <param name="Disabled">A disabled account cannot log in and receives no mail.</param>
public sealed record AccountInfo(
    string Name,
    IReadOnlyList<string> Addresses,
    IReadOnlyList<string> Aliases,
    bool Disabled = false)
{
    /// <summary>
    /// Whether the account refuses its own password for IMAP, POP3 and SMTP, so that only its app passwords log in there
    /// (see <see cref="IAppPasswordAdministration.SetAppPasswordsRequiredAsync"/>).
    /// </summary>
    public bool RequiresAppPasswords { get; init; }
}
