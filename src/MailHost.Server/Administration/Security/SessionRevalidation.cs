using MailHost.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace MailHost.Server.Administration.Security;

/// <summary>
/// Re-reads a session's account at most once a minute: a disabled or removed account loses its session, and a revoked
/// administrator role ends operator access, without waiting for the cookie to expire.
/// </summary>
internal static class SessionRevalidation
{
    private const string CheckedKey = "mailhost:checked";
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var time = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
        var now = time.GetUtcNow();
        if (context.Properties.Items.TryGetValue(CheckedKey, out var text) && long.TryParse(text, out var ticks)
            && now - new DateTimeOffset(ticks, TimeSpan.Zero) < Interval)
        {
            return;
        }

        var name = context.Principal?.Identity?.Name;
        var directory = context.HttpContext.RequestServices.GetRequiredService<IAccountAdministration>();
        var details = name is null ? null : await directory.GetAccountAsync(name, 0, context.HttpContext.RequestAborted).ConfigureAwait(false);
        if (details is null || details.Account.Disabled)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(AdminAuthentication.CookieScheme).ConfigureAwait(false);
            return;
        }

        var isOperator = context.Principal!.IsInRole(AdminAuthentication.OperatorRole);
        if (isOperator != details.IsAdministrator)
        {
            context.ReplacePrincipal(AdminAuthentication.SessionPrincipal(details.Account.Name, context.Principal.FindFirst(AdminAuthentication.LoginClaim)?.Value ?? details.Account.Name, details.IsAdministrator));
        }

        context.Properties.Items[CheckedKey] = now.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.ShouldRenew = true;
    }
}
