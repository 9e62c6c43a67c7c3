using MailHost.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MailHost.Server.Administration.Api;

/// <summary>The answers of the API: refusals as RFC 9457 problem details with the directory's message.</summary>
internal static class ApiResults
{
    public static IResult From(AccountAdministrationResult result, Func<IResult>? success = null) => result.Succeeded
        ? success?.Invoke() ?? TypedResults.NoContent()
        : Problem(StatusOf(result.Error), result.Error.ToString(), result.Message);

    public static ProblemHttpResult Problem(int status, string title, string? detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    public static ProblemHttpResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "NotFound", detail);

    public static ProblemHttpResult BadRequest(string detail) => Problem(StatusCodes.Status400BadRequest, "BadRequest", detail);

    private static int StatusOf(AccountAdministrationError error) => error switch
    {
        AccountAdministrationError.UnknownAccount or AccountAdministrationError.UnknownAlias or AccountAdministrationError.UnknownDomain
            => StatusCodes.Status404NotFound,
        AccountAdministrationError.DuplicateAccount or AccountAdministrationError.DuplicateAddress or AccountAdministrationError.DuplicateDomain
            or AccountAdministrationError.DomainInUse or AccountAdministrationError.MailRemovalPending => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };
}
