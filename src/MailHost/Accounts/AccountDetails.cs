namespace MailHost.Accounts;

/// <summary>One account as an operator sees it.</summary>
/// <param name="Account">Name, addresses, aliases and whether the account is disabled.</param>
/// <param name="HasPassword">Whether a valid password record is stored (without one the account cannot log in).</param>
/// <param name="Created">When the account was created.</param>
/// <param name="RecentLogins">The most recently recorded login attempts, newest first.</param>
/// <param name="IsAdministrator">Whether the account holds the administrator role (see <see cref="IAdministrationDirectory"/>).</param>
/// <param name="HasTotp">Whether a TOTP second factor is set up for the account.</param>
public sealed record AccountDetails(
    AccountInfo Account,
    bool HasPassword,
    DateTimeOffset Created,
    IReadOnlyList<LoginRecord> RecentLogins,
    bool IsAdministrator = false,
    bool HasTotp = false);
