using MailHost.Server.Administration.Operations;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MailHost.Server.Administration.Api;

/// <summary>What a release did: the accounts that got the message and the original recipients that did not, with why.</summary>
internal sealed record QuarantineReleaseView(uint Uid, IReadOnlyList<string> DeliveredTo, IReadOnlyList<QuarantineRecipient> NotDelivered);

/// <summary>
/// <c>/api/v1/quarantine</c>: the messages the inbound filters held, listed newest first (operators and any key),
/// released to their local recipients or deleted (operator sessions and full-scope keys; both audited).
/// </summary>
/// <remarks>
/// Problems (RFC 9457): 404 <c>NotFound</c> for a UID the quarantine does not hold; 409
/// <c>QuarantineNotConfigured</c> on every route when <c>MailHost:Filtering:QuarantineAccount</c> is not set (the
/// route exists, the server's configuration has nothing for it; a 404 would read like an unknown UID); 409
/// <c>NoLocalRecipient</c> when no original recipient is a local account; 409 <c>Conflict</c> when another operator is
/// releasing or deleting the message; 503 <c>StoreUnavailable</c> when the store failed or refused a copy, the message
/// then staying in the quarantine.
/// </remarks>
internal static class QuarantineApi
{
    public static void Map(RouteGroupBuilder read, RouteGroupBuilder write)
    {
        read.MapGet("/quarantine", async Task<IResult> (int? limit, QuarantineOperations quarantine, CancellationToken ct) =>
        {
            var listing = await quarantine.ListAsync(limit ?? QuarantineOperations.DefaultLimit, ct).ConfigureAwait(false);
            return listing.Status == QuarantineStatus.Done ? TypedResults.Ok(listing.Messages) : Problem(listing.Status, listing.Message);
        });
        write.MapPost("/quarantine/{uid}/release", async Task<IResult> (string uid, QuarantineOperations quarantine, HttpContext http) =>
        {
            if (ParseUid(uid) is not { } number)
            {
                return UnknownUid(uid);
            }

            var change = await quarantine.ReleaseAsync(AdminActor.From(http), number, http.RequestAborted).ConfigureAwait(false);
            return change.Succeeded ? TypedResults.Ok(new QuarantineReleaseView(number, change.DeliveredTo, change.NotDelivered)) : Problem(change.Status, change.Message);
        });
        write.MapDelete("/quarantine/{uid}", async Task<IResult> (string uid, QuarantineOperations quarantine, HttpContext http) =>
        {
            if (ParseUid(uid) is not { } number)
            {
                return UnknownUid(uid);
            }

            var change = await quarantine.DeleteAsync(AdminActor.From(http), number, http.RequestAborted).ConfigureAwait(false);
            return change.Succeeded ? TypedResults.NoContent() : Problem(change.Status, change.Message);
        });
    }

    /// <summary>
    /// A UID is a number (RFC 9051 §2.3.1.1: 1 to 2^32-1). The route takes text so that anything else gets the same
    /// 404 problem as a UID not held, rather than the framework's bare 400.
    /// </summary>
    private static uint? ParseUid(string text)
        => uint.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var uid) && uid > 0 ? uid : null;

    private static ProblemHttpResult UnknownUid(string text) => ApiResults.NotFound($"There is no message '{text}' in the quarantine.");

    private static ProblemHttpResult Problem(QuarantineStatus status, string detail) => status switch
    {
        QuarantineStatus.UnknownMessage => ApiResults.NotFound(detail),
        QuarantineStatus.NotConfigured => ApiResults.Problem(StatusCodes.Status409Conflict, "QuarantineNotConfigured", detail),
        QuarantineStatus.NoLocalRecipient => ApiResults.Problem(StatusCodes.Status409Conflict, "NoLocalRecipient", detail),
        QuarantineStatus.Conflict => ApiResults.Problem(StatusCodes.Status409Conflict, "Conflict", detail),
        _ => ApiResults.Problem(StatusCodes.Status503ServiceUnavailable, "StoreUnavailable", detail),
    };
}
