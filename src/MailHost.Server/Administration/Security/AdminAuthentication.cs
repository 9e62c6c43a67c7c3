using System.Security.Claims;
using MailHost.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace MailHost.Server.Administration.Security;

/// <summary>
/// Who may do what on the administration endpoint. Browsers sign in with a mail login (a cookie session, anti-forgery
/// tokens on every form and every cookie-authenticated API change); scripts send an API key as a bearer token. An
/// account with the administrator role is an operator; every signed-in account is a mailbox user of its own account.
/// </summary>
internal static class AdminAuthentication
{
    /// <summary>The cookie session of a signed-in browser.</summary>
    public const string CookieScheme = "MailHost.Admin.Cookie";

    /// <summary>An API key in <c>Authorization: Bearer</c>.</summary>
    public const string ApiKeyScheme = "MailHost.Admin.ApiKey";

    /// <summary>The scheme that picks one of the two for each request.</summary>
    public const string Scheme = "MailHost.Admin";

    /// <summary>The role of operators (accounts granted <c>mailhost users admin</c>, and API keys).</summary>
    public const string OperatorRole = "operator";

    /// <summary>The role of every signed-in account, for its own pages.</summary>
    public const string MailboxUserRole = "mailbox-user";

    /// <summary>The claim that an API key may change things (<c>Full</c>) or only read (<c>ReadOnly</c>).</summary>
    public const string ScopeClaim = "mailhost:scope";

    /// <summary>Operators reading: any operator session or API key.</summary>
    public const string ReadPolicy = "mailhost-operator-read";

    /// <summary>Operators changing: an operator session, or an API key with the full scope.</summary>
    public const string WritePolicy = "mailhost-operator-write";

    /// <summary>A signed-in mailbox user (operators are mailbox users of their own account too).</summary>
    public const string MailboxUserPolicy = "mailhost-mailbox-user";

    /// <summary>The login the account signed in with (as the resolver accepted it), to check its password again.</summary>
    public const string LoginClaim = "mailhost:login";

    private const string CookieName = "mailhost-admin";

    /// <summary>Registers the schemes and policies.</summary>
    public static IServiceCollection AddMailHostAdminAuthentication(this IServiceCollection services, bool https)
    {
        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Cookie or API key", options =>
                options.ForwardDefaultSelector = context => context.Request.Headers.Authorization.Count > 0 ? ApiKeyScheme : CookieScheme)
            .AddCookie(CookieScheme, options =>
            {
                // __Host- binds the cookie to this exact origin (RFC 6265bis §4.1.3.2), which needs Secure, so HTTPS only.
                options.Cookie.Name = https ? "__Host-" + CookieName : CookieName;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = https ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
                options.Cookie.Path = "/";
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                options.LoginPath = "/signin";
                options.LogoutPath = "/signout";
                options.AccessDeniedPath = "/denied";
                options.Events.OnRedirectToLogin = context => ApiAnswer(context, StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context => ApiAnswer(context, StatusCodes.Status403Forbidden);
                options.Events.OnValidatePrincipal = SessionRevalidation.ValidateAsync;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyScheme, null);

        services.AddAuthorizationBuilder()
            .AddPolicy(ReadPolicy, policy => policy.RequireRole(OperatorRole))
            .AddPolicy(WritePolicy, policy => policy.RequireRole(OperatorRole).RequireAssertion(context =>
                context.User.FindFirst(ScopeClaim)?.Value is null or nameof(ApiKeyScope.Full)))
            .AddPolicy(MailboxUserPolicy, policy => policy.RequireRole(MailboxUserRole));
        return services;
    }

    /// <summary>The account a session belongs to, or null for an API key.</summary>
    public static string? AccountName(this ClaimsPrincipal user) =>
        user.Identity?.AuthenticationType == CookieScheme ? user.Identity.Name : null;

    /// <summary>Whether the principal signed in with a cookie (so changes need an anti-forgery token).</summary>
    public static bool IsCookieSession(this ClaimsPrincipal user) => user.Identity?.AuthenticationType == CookieScheme;

    /// <summary>The principal of a signed-in account.</summary>
    public static ClaimsPrincipal SessionPrincipal(string accountName, string login, bool administrator)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, accountName), new(LoginClaim, login), new(ClaimTypes.Role, MailboxUserRole) };
        if (administrator)
        {
            claims.Add(new Claim(ClaimTypes.Role, OperatorRole));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieScheme));
    }

    // The API answers with status codes; only the console's pages redirect to the sign-in page.
    private static Task ApiAnswer(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
