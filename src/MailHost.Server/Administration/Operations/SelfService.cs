using System.Net;
using MailHost.Accounts;
using MailHost.Logins;
using MailHost.Server.Administration.Security;

namespace MailHost.Server.Administration.Operations;

/// <summary>
/// What a mailbox user does for their own account: change the password, proving it with the current one (checked as
/// a login, so guessing it here is throttled and recorded like anywhere else).
/// </summary>
internal sealed class SelfService(PasswordAuthenticator passwords, AccountOperations accounts)
{
    public async Task<AccountAdministrationResult> ChangePasswordAsync(HttpContext http, string currentPassword, string newPassword)
    {
        ArgumentNullException.ThrowIfNull(http);
        var account = http.User.AccountName();
        if (account is null)
        {
            return AccountAdministrationResult.Failure(AccountAdministrationError.UnknownAccount, "Only a signed-in account changes its own password.");
        }

        var remote = http.Connection.RemoteIpAddress is { } address ? new IPEndPoint(address, http.Connection.RemotePort) : null;
        var context = new AuthenticationContext(AdminSignIn.Protocol, remote, http.Request.IsHttps) { AllowPlaintextAuthentication = true };
        var login = http.User.FindFirst(AdminAuthentication.LoginClaim)?.Value ?? account;
        var check = await passwords.AuthenticateAsync(login, currentPassword, context, http.RequestAborted).ConfigureAwait(false);
        if (!check.Succeeded || check.Account.Name != account)
        {
            return AccountAdministrationResult.Failure(AccountAdministrationError.InvalidPassword, "The current password is wrong.");
        }

        return await accounts.SetPasswordAsync(AdminActor.From(http), account, newPassword, http.RequestAborted).ConfigureAwait(false);
    }
}
