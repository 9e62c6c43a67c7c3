namespace MailHost.Accounts;

/// <summary>A new app password together with its secret, which exists only here: the directory keeps a PBKDF2 record of it.</summary>
/// <param name="AppPassword">The app password as the directory lists it.</param>
/// <param name="Secret">
/// The secret in its display form, four groups of six lowercase letters and digits joined by dashes; show it once, never
/// log it. It is accepted with or without the dashes and spaces, in any case.
/// </param>
public sealed record AppPasswordCreated(AppPasswordInfo AppPassword, string Secret);
