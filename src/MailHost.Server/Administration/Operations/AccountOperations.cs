using MailHost.Accounts;
using MailHost.Logins;
using Microsoft.Extensions.Options;

namespace MailHost.Server.Administration.Operations;

/// <summary>
/// The account changes of the console and the API: each one call to the account directory, audited. Passwords become
/// PBKDF2 records here (with <c>MailHost:Auth:PasswordIterations</c>); the plain text is not kept.
/// </summary>
internal sealed class AccountOperations(IAccountAdministration accounts, IAdministrationDirectory operators, AdminAudit audit, IOptions<AuthenticationOptions> authentication)
{
    /// <summary>The longest password accepted (PBKDF2 hashes any length, but nobody needs more, and each costs work).</summary>
    public const int MaxPasswordLength = 1024;

    public async Task<AccountAdministrationResult> CreateAsync(AdminActor actor, string name, IReadOnlyList<string> addresses, string password, CancellationToken cancellationToken)
    {
        if (PasswordProblem(password) is { } problem)
        {
            return problem;
        }

        var result = await accounts.AddAccountAsync(name, addresses, Record(password), cancellationToken).ConfigureAwait(false);
        return await audit.RecordAsync(actor, AuditActions.AccountCreate, Canonical(name), result, cancellationToken).ConfigureAwait(false);
    }

    public async Task<AccountAdministrationResult> SetPasswordAsync(AdminActor actor, string name, string password, CancellationToken cancellationToken)
    {
        if (PasswordProblem(password) is { } problem)
        {
            return problem;
        }

        var result = await accounts.SetPasswordAsync(name, Record(password), cancellationToken).ConfigureAwait(false);
        return await audit.RecordAsync(actor, AuditActions.AccountPassword, Canonical(name), result, cancellationToken).ConfigureAwait(false);
    }

    public async Task<AccountAdministrationResult> SetDisabledAsync(AdminActor actor, string name, bool disabled, CancellationToken cancellationToken)
    {
        var result = await accounts.SetDisabledAsync(name, disabled, cancellationToken).ConfigureAwait(false);
        return await audit.RecordAsync(actor, disabled ? AuditActions.AccountDisable : AuditActions.AccountEnable, Canonical(name), result, cancellationToken).ConfigureAwait(false);
    }

    public async Task<AccountAdministrationResult> RemoveAsync(AdminActor actor, string name, CancellationToken cancellationToken)
    {
        var result = await accounts.RemoveAccountAsync(name, cancellationToken).ConfigureAwait(false);
        return await audit.RecordAsync(actor, AuditActions.AccountRemove, Canonical(name), result, cancellationToken).ConfigureAwait(false);
    }

    public async Task<AccountAdministrationResult> SetAdministratorAsync(AdminActor actor, string name, bool administrator, CancellationToken cancellationToken)
    {
        var result = await operators.SetAdministratorAsync(name, administrator, cancellationToken).ConfigureAwait(false);
        return await audit.RecordAsync(actor, administrator ? AuditActions.AccountAdminGrant : AuditActions.AccountAdminRevoke, Canonical(name), result, cancellationToken).ConfigureAwait(false);
    }

    public async Task<AccountAdministrationResult> AddAliasAsync(AdminActor actor, string alias, string account, CancellationToken cancellationToken)
    {
        var result = await accounts.AddAliasAsync(alias, account, cancellationToken).ConfigureAwait(false);
        return await audit.RecordAsync(actor, AuditActions.AliasCreate, CanonicalAddress(alias), result, cancellationToken).ConfigureAwait(false);
    }

    public async Task<AccountAdministrationResult> RemoveAliasAsync(AdminActor actor, string alias, CancellationToken cancellationToken)
    {
        var result = await accounts.RemoveAliasAsync(alias, cancellationToken).ConfigureAwait(false);
        return await audit.RecordAsync(actor, AuditActions.AliasRemove, CanonicalAddress(alias), result, cancellationToken).ConfigureAwait(false);
    }

    private static AccountAdministrationResult? PasswordProblem(string password) => password switch
    {
        null or "" => AccountAdministrationResult.Failure(AccountAdministrationError.InvalidPassword, "The password must not be empty."),
        { Length: > MaxPasswordLength } => AccountAdministrationResult.Failure(AccountAdministrationError.InvalidName, $"The password is longer than {MaxPasswordLength} characters."),
        _ => null,
    };

    private PasswordRecord Record(string password) => PasswordRecord.Create(password, authentication.Value.PasswordIterations);

    private static string Canonical(string name) => MailAddressCanonicalizer.CanonicalizeAccountName(name) ?? name;

    private static string CanonicalAddress(string address) => MailAddressCanonicalizer.CanonicalizeAddress(address) ?? address;
}
