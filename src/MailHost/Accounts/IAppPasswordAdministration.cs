namespace MailHost.Accounts;

/// <summary>
/// The operator's side of app passwords: separate, revocable secrets per device, each limited to the mail protocols,
/// client networks and time it needs, and whether an account refuses its own password for mail altogether. The login
/// side is <see cref="IAccountDirectory.FindAppPasswordAsync"/>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Account names are put through <see cref="MailAddressCanonicalizer.CanonicalizeAccountName"/> first; a name
/// that has none is treated as an unknown account.</item>
/// <item>The secret is made by the directory, returned once by <see cref="CreateAppPasswordAsync"/> and stored only as
/// a <see cref="PasswordRecord"/> with a lookup tag keyed by <see cref="IAccountDirectory.GetServerSecretAsync"/>.</item>
/// <item>An app password belongs to one account and goes with it when the account is removed.</item>
/// <item>Implementations are safe for concurrent use, also from several processes sharing one directory.</item>
/// </list>
/// </remarks>
public interface IAppPasswordAdministration
{
    /// <summary>
    /// Creates an app password for <paramref name="accountName"/>. The secret in the result is the only copy: the
    /// directory keeps a PBKDF2 record of it (derived before the write, outside the directory's write lock).
    /// </summary>
    /// <param name="accountName">The account.</param>
    /// <param name="appPassword">Its name, protocols, networks and expiry (an expiry in the past makes one that never works).</param>
    /// <param name="iterations">The PBKDF2 iteration count of its record: the one main passwords get (<c>MailHost:Auth:PasswordIterations</c>).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The app password with its secret, or <see langword="null"/> when there is no such account.</returns>
    /// <exception cref="ArgumentException">The name, protocols or networks break the rules of <see cref="NewAppPassword"/>
    /// (check operator input first), or <paramref name="iterations"/> is below <see cref="PasswordRecord.MinimumIterations"/>.</exception>
    ValueTask<AppPasswordCreated?> CreateAppPasswordAsync(string accountName, NewAppPassword appPassword, int iterations, CancellationToken cancellationToken);

    /// <summary>The account's app passwords, newest first; <see langword="null"/> when there is no such account.</summary>
    ValueTask<IReadOnlyList<AppPasswordInfo>?> ListAppPasswordsAsync(string accountName, CancellationToken cancellationToken);

    /// <summary>Revokes (deletes) one of the account's app passwords; the next login with it fails.</summary>
    /// <returns><see langword="true"/> when it was revoked now; <see langword="false"/> when the account has no app password with that id.</returns>
    ValueTask<bool> RevokeAppPasswordAsync(string accountName, string id, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the account refuse its own password for IMAP, POP3 and SMTP (<paramref name="required"/>
    /// <see langword="true"/>), so that only its app passwords log in there, or accept it again. The administration
    /// console still takes the account's password either way. SCRAM-SHA-256, which can only use the account's own
    /// password, is refused while app passwords are required.
    /// </summary>
    /// <returns>Success (also when nothing changed), or <see cref="AccountAdministrationError.UnknownAccount"/> or
    /// <see cref="AccountAdministrationError.InvalidName"/>.</returns>
    ValueTask<AccountAdministrationResult> SetAppPasswordsRequiredAsync(string accountName, bool required, CancellationToken cancellationToken);
}
