using MailHost.Server.Administration.Security;

namespace MailHost.Server.Administration.Console;

/// <summary>
/// Maps the web console: server-rendered Razor components (static SSR: plain HTML forms with anti-forgery tokens, no
/// JavaScript) and their stylesheet, into the administration listener's route group.
/// </summary>
internal static class ConsoleRoutes
{
    /// <summary>The stylesheet's path; the version in the name lets browsers cache it for good.</summary>
    public const string StylesheetPath = "/console-1.css";

    /// <summary>Maps the console's pages and stylesheet on <paramref name="admin"/>.</summary>
    public static void Map(RouteGroupBuilder admin)
    {
        ArgumentNullException.ThrowIfNull(admin);

        // Anonymous: the sign-in page needs it too.
        admin.MapGet(StylesheetPath, (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
            return TypedResults.Text(ConsoleStylesheet.Css, "text/css; charset=utf-8");
        }).AllowAnonymous();

        // A page endpoint answers GET and POST. POST /signin and POST /signout are the endpoint's own handlers
        // (AdminEndpoint), and /signin is also the sign-in page: a later order lets those handlers win on their method
        // without making the route ambiguous.
        admin.MapRazorComponents<App>().Add(endpoint =>
        {
            if (endpoint is RouteEndpointBuilder route)
            {
                route.Order = 1;
            }
        });
    }

    /// <summary>Whether the signed-in principal is an operator (sees every page) rather than only a mailbox user.</summary>
    public static bool IsOperator(HttpContext? http) => http?.User.IsInRole(AdminAuthentication.OperatorRole) == true;
}
