namespace MailHost.Accounts;

/// <summary>What a login needs of one app password: its rules and the PBKDF2 record of its secret.</summary>
/// <param name="AppPassword">The app password: id, name, protocols, networks, expiry and last use.</param>
/// <param name="Record">The record the secret is checked against, in the form and with the iteration count of a main password's.</param>
public sealed record AppPasswordCredential(AppPasswordInfo AppPassword, PasswordRecord Record);
