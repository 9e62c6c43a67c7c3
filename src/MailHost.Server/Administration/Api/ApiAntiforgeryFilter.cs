using MailHost.Server.Administration.Security;
using Microsoft.AspNetCore.Antiforgery;

namespace MailHost.Server.Administration.Api;

/// <summary>
/// A change made with a browser's session cookie must carry the anti-forgery token (header
/// <see cref="HeaderName"/>), or another site's page could make it with the operator's cookie. API keys are sent
/// deliberately by a script and need none.
/// </summary>
internal sealed class ApiAntiforgeryFilter(IAntiforgery antiforgery) : IEndpointFilter
{
    public const string HeaderName = "X-CSRF-TOKEN";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.User.IsCookieSession() && !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
        {
            try
            {
                await antiforgery.ValidateRequestAsync(http).ConfigureAwait(false);
            }
            catch (AntiforgeryValidationException)
            {
                return ApiResults.Problem(StatusCodes.Status400BadRequest, "Antiforgery", $"A change made with a session cookie needs the anti-forgery token in the {HeaderName} header (GET /api/v1/antiforgery).");
            }
        }

        return await next(context).ConfigureAwait(false);
    }
}
