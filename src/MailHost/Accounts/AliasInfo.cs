namespace MailHost.Accounts;

/// <summary>An alias address and the account it delivers to, both in canonical form.</summary>
/// <param name="Address">The alias address.</param>
/// <param name="AccountName">The account that receives mail for it.</param>
public sealed record AliasInfo(string Address, string AccountName);
