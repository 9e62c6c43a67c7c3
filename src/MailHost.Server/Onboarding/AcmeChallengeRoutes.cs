using System.Text;
using MailHost.Certificates.Acme;

namespace MailHost.Server.Onboarding;

/// <summary>
/// Answers ACME HTTP-01 challenges (RFC 8555 §8.3) on the host's HTTP endpoint:
/// <c>GET /.well-known/acme-challenge/TOKEN</c> returns the key authorization of a pending challenge, 404 otherwise.
/// Any Host header is answered: the ACME server asks for the name being validated, which is this host's by design.
/// </summary>
internal static partial class AcmeChallengeRoutes
{
    /// <summary>Maps the route when the ACME client is configured; does nothing otherwise.</summary>
    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetService<AcmeChallengeResponses>() is null)
        {
            return;
        }

        app.MapGet(AcmeChallengeResponses.Http01PathPrefix + "{token}", AnswerAsync);
    }

    private static async Task AnswerAsync(HttpContext context)
    {
        var token = context.Request.RouteValues["token"] as string ?? "";
        var responses = context.RequestServices.GetRequiredService<AcmeChallengeResponses>();
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("MailHost.Server.Onboarding.Acme");
        if (responses.FindHttp01KeyAuthorization(token) is not { } keyAuthorization)
        {
            LogUnknownToken(logger, context.Request.Host.Host, context.Connection.RemoteIpAddress?.ToString() ?? "?");
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        LogAnswered(logger, context.Request.Host.Host, context.Connection.RemoteIpAddress?.ToString() ?? "?");

        // RFC 8555 §8.3: the body is the key authorization; servers ignore the media type.
        context.Response.ContentType = "application/octet-stream";
        await context.Response.Body.WriteAsync(Encoding.ASCII.GetBytes(keyAuthorization), context.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(1510, LogLevel.Information, "ACME HTTP-01 challenge for {Host} answered to {Client}")]
    private static partial void LogAnswered(ILogger logger, string host, string client);

    [LoggerMessage(1511, LogLevel.Debug, "ACME HTTP-01 request for {Host} from {Client} names no pending challenge (404)")]
    private static partial void LogUnknownToken(ILogger logger, string host, string client);
}
