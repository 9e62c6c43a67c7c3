using System.Security.Claims;
using System.Text.Encodings.Web;
using MailHost.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace MailHost.Server.Administration.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer mhk_...</c> (RFC 6750 §2.1) against the stored hashes of the API keys. A key
/// acts as an operator, reading only or with full rights by its scope; a wrong key is a plain 401 with no hint why.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IAdministrationDirectory directory)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The name an API key acts under in the audit log.</summary>
    public static string ActorName(string keyId) => "apikey:" + keyId;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        if (!header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var key = await directory.VerifyApiKeyAsync(header[Bearer.Length..].Trim(), Context.RequestAborted).ConfigureAwait(false);
        if (key is null)
        {
            return AuthenticateResult.Fail("The API key is not valid.");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, ActorName(key.Id)),
                new Claim(ClaimTypes.Role, AdminAuthentication.OperatorRole),
                new Claim(AdminAuthentication.ScopeClaim, key.Scope.ToString()),
            ],
            AdminAuthentication.ApiKeyScheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), AdminAuthentication.ApiKeyScheme));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"mailhost\"";
        return Task.CompletedTask;
    }
}
