using System.Text.Json;
using MailHost.Server.Administration.Api;
using MailHost.Server.Administration.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MailHost.Server.Administration;

/// <summary>
/// The administration endpoint's pipeline and routes: <c>/healthz</c> and <c>/readyz</c>, <c>/metrics</c>, the API
/// under <c>/api/v1</c> with its OpenAPI document, sign-in and sign-out, and the console pages. All of them answer on
/// the administration listener only.
/// </summary>
internal static partial class AdminEndpoint
{
    /// <summary>Adds the middleware and maps the routes when <c>MailHost:Admin:Url</c> is set; does nothing otherwise.</summary>
    /// <param name="app">The host.</param>
    /// <param name="mapMore">Maps further administration routes (metrics, console pages) into the listener's group.</param>
    public static void Map(WebApplication app, Action<RouteGroupBuilder>? mapMore = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (AdminHttpSettings.Read(app.Configuration) is null)
        {
            return;
        }

        var listener = app.Services.GetRequiredService<AdminListener>();
        app.UseRouting();
        app.UseAdminRouteIsolation(listener);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();

        var admin = app.MapGroup("");
        admin.OnAdminListener();
        admin.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealthAsync });
        admin.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = WriteHealthAsync });
        admin.MapOpenApi("/openapi/{documentName}.json");
        AdminApi.Map(admin);
        admin.MapPost("/signin", SignInAsync).RequireRateLimiting(AdminServiceCollectionExtensions.SignInRateLimit);
        admin.MapPost("/signout", (Delegate)SignOutAsync);
        mapMore?.Invoke(admin);

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MailHost.Server.Administration");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            if (listener.BaseAddress is { } address)
            {
                LogListening(logger, address.ToString());
            }
        });
    }

    private static async Task<IResult> SignInAsync(
        [FromForm] string? login, [FromForm] string? password, [FromForm] string? code, [FromForm] string? returnUrl, AdminSignIn signIn, HttpContext http)
    {
        var principal = login is { Length: > 0 } && password is not null
            ? await signIn.SignInAsync(login, password, code, http).ConfigureAwait(false)
            : null;
        var target = IsLocalPath(returnUrl) ? returnUrl : null;
        if (principal is null)
        {
            return TypedResults.Redirect("/signin?failed=1" + (target is null ? "" : "&returnUrl=" + Uri.EscapeDataString(target)));
        }

        await http.SignInAsync(AdminAuthentication.CookieScheme, principal).ConfigureAwait(false);
        return TypedResults.Redirect(target ?? (principal.IsInRole(AdminAuthentication.OperatorRole) ? "/" : "/me"));
    }

    private static async Task<IResult> SignOutAsync(HttpContext http)
    {
        await http.SignOutAsync(AdminAuthentication.CookieScheme).ConfigureAwait(false);
        return TypedResults.Redirect("/signin");
    }

    // Only a path of this site: "//host" and "/\host" are other sites to a browser.
    private static bool IsLocalPath(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || url[1] is not '/' and not '\\');

    private static Task WriteHealthAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        http.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(entry => new { name = entry.Key, status = entry.Value.Status.ToString(), description = entry.Value.Description }),
        };
        return JsonSerializer.SerializeAsync(http.Response.Body, body, cancellationToken: http.RequestAborted);
    }

    [LoggerMessage(1530, LogLevel.Information, "Administration endpoint on {Address}")]
    private static partial void LogListening(ILogger logger, string address);
}
