using System.Net;
using System.Security.Claims;
using MailHost.Accounts;
using MailHost.Logins;
using OtpNet;

namespace MailHost.Server.Administration.Security;

/// <summary>
/// Checks a browser sign-in exactly as a mail login is checked (the identity resolver maps the login, the brute-force
/// throttle counts the attempt, the login history records it with the protocol <c>HTTP</c>), then the second factor of
/// an account that has one: a TOTP code (RFC 6238, 30-second steps, one step of clock drift either way), each step
/// accepted once.
/// </summary>
internal sealed class AdminSignIn(PasswordAuthenticator passwords, IAccountAdministration accounts, IAdministrationDirectory operators, TimeProvider time)
{
    /// <summary>The protocol name sign-ins carry in the login history.</summary>
    public const string Protocol = "HTTP";

    /// <summary>The principal of the session to start, or null: wrong login, password or code, or a blocked client.</summary>
    public async Task<ClaimsPrincipal?> SignInAsync(string login, string password, string? code, HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var remote = http.Connection.RemoteIpAddress is { } address ? new IPEndPoint(address, http.Connection.RemotePort) : null;
        var context = new AuthenticationContext(Protocol, remote, http.Request.IsHttps)
        {
            // Plain HTTP is only ever served on loopback (AdminHttpSettings refuses it elsewhere).
            AllowPlaintextAuthentication = true,
            ClientName = ClientName(http),
        };
        var result = await passwords.AuthenticateAsync(login, password, context, http.RequestAborted).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return null;
        }

        var account = result.Account.Name;
        if (await operators.GetTotpSecretAsync(account, http.RequestAborted).ConfigureAwait(false) is { } secret
            && !await VerifyCodeAsync(account, secret, code, http.RequestAborted).ConfigureAwait(false))
        {
            return null;
        }

        var details = await accounts.GetAccountAsync(account, 0, http.RequestAborted).ConfigureAwait(false);
        return details is null ? null : AdminAuthentication.SessionPrincipal(account, login, details.IsAdministrator);
    }

    /// <summary>Whether <paramref name="code"/> is the account's current TOTP code, not used before.</summary>
    public async Task<bool> VerifyCodeAsync(string account, byte[] secret, string? code, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(code) || code.Trim().Length != 6)
        {
            return false;
        }

        var totp = new Totp(secret);
        return totp.VerifyTotp(time.GetUtcNow().UtcDateTime, code.Trim(), out var step, VerificationWindow.RfcSpecifiedNetworkDelay)
            && await operators.TryUseTotpStepAsync(account, step, cancellationToken).ConfigureAwait(false);
    }

    // The browser's name, clipped, as the login history shows a mail client's ID.
    private static string? ClientName(HttpContext http)
    {
        var agent = http.Request.Headers.UserAgent.ToString();
        return agent.Length == 0 ? null : agent[..Math.Min(agent.Length, 200)];
    }
}
