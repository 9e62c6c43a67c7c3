using MailHost.Server.Administration.Operations;
using MailHost.Server.Administration.Tracing;

namespace MailHost.Server.Administration.Api;

/// <summary>A live trace to start: one account or one client address, for some minutes (at most 60).</summary>
internal sealed record TraceStartRequest(string? Account, string? Address, int Minutes = 15);

/// <summary>A live trace as the API shows it, with its lines when asked for one.</summary>
internal sealed record TraceView(string Id, string? Account, string? Address, string StartedBy, DateTimeOffset Started, DateTimeOffset Expires, bool Active, long Dropped, IReadOnlyList<LiveTraceLine>? Lines)
{
    public static TraceView From(LiveTrace trace, DateTimeOffset now, bool withLines) => new(
        trace.Id, trace.Account, trace.Address?.ToString(), trace.StartedBy, trace.Started, trace.Expires, trace.IsActive(now), trace.Dropped, withLines ? trace.Lines() : null);
}

/// <summary>
/// <c>/api/v1/traces</c>: operators start, read and stop live protocol traces of this host (each host traces its own
/// connections). Starting and stopping are audited; the lines are redacted as the protocol trace always is.
/// </summary>
internal static class TraceApi
{
    public static void Map(RouteGroupBuilder read, RouteGroupBuilder write)
    {
        read.MapGet("/traces", (LiveTraces traces, TimeProvider time) =>
            TypedResults.Ok(traces.List().Select(t => TraceView.From(t, time.GetUtcNow(), withLines: false))));
        read.MapGet("/traces/{id}", IResult (string id, LiveTraces traces, TimeProvider time) =>
            traces.Get(id) is { } trace ? TypedResults.Ok(TraceView.From(trace, time.GetUtcNow(), withLines: true)) : ApiResults.NotFound($"There is no trace '{id}'."));
        write.MapPost("/traces", async Task<IResult> (TraceStartRequest request, TraceOperations operations, TimeProvider time, HttpContext http) =>
        {
            var (trace, problem) = await operations.StartAsync(AdminActor.From(http), request.Account, request.Address, request.Minutes, http.RequestAborted).ConfigureAwait(false);
            return trace is null
                ? ApiResults.BadRequest(problem ?? "The trace was not started.")
                : TypedResults.Created($"/api/v1/traces/{trace.Id}", TraceView.From(trace, time.GetUtcNow(), withLines: false));
        });
        write.MapDelete("/traces/{id}", async Task<IResult> (string id, TraceOperations operations, HttpContext http) =>
            await operations.StopAsync(AdminActor.From(http), id, http.RequestAborted).ConfigureAwait(false) ? TypedResults.NoContent() : ApiResults.NotFound($"There is no trace '{id}'."));
    }
}
