using MailHost.Accounts;
using MailHost.Server.Administration.Operations;
using MailHost.Server.Administration.Security;
using MailHost.Storage;
using Microsoft.AspNetCore.Antiforgery;

namespace MailHost.Server.Administration.Api;

/// <summary>
/// The management API, <c>/api/v1</c>: everything the command line does, over HTTP, on the same operations. Reads
/// need an operator (session or any API key), changes an operator session or a full-scope key; <c>/api/v1/me</c> is a
/// signed-in account's own. Described by the OpenAPI document at <c>/openapi/v1.json</c>.
/// </summary>
internal static class AdminApi
{
    public const int MaxCount = 1000;

    /// <summary>Maps the routes on <paramref name="endpoints"/> (the administration listener's group).</summary>
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1").AddEndpointFilter<ApiAntiforgeryFilter>().WithTags("MailHost");
        var read = api.MapGroup("").RequireAuthorization(AdminAuthentication.ReadPolicy);
        var write = api.MapGroup("").RequireAuthorization(AdminAuthentication.WritePolicy);
        var me = api.MapGroup("/me").RequireAuthorization(AdminAuthentication.MailboxUserPolicy);

        api.MapGet("/antiforgery", (HttpContext http, IAntiforgery antiforgery) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(http);
            return TypedResults.Ok(new AntiforgeryTokenResponse(ApiAntiforgeryFilter.HeaderName, tokens.RequestToken!));
        }).AllowAnonymous();

        MapDomains(read, write);
        MapAccounts(read, write);
        MapAliases(read, write);
        MapQueue(read, write);
        MapApiKeys(read, write);
        TraceApi.Map(read, write);
        QuarantineApi.Map(read, write);
        read.MapGet("/audit", async (IAdministrationDirectory operators, int? count, CancellationToken ct) =>
            TypedResults.Ok(await operators.GetAuditAsync(Count(count, 100), ct).ConfigureAwait(false)));
        read.MapGet("/logins/unresolved", async (IAccountAdministration accounts, int? count, CancellationToken ct) =>
            TypedResults.Ok((await accounts.GetRecentUnresolvedLoginsAsync(Count(count, 50), ct).ConfigureAwait(false)).Select(LoginView.From)));
        MapMe(me);

        // An unknown API path gets a problem document, not the console's not-found page.
        api.Map("/{**path}", (string? path) => ApiResults.NotFound($"There is no API route /api/v1/{path}."));
    }

    private static void MapDomains(RouteGroupBuilder read, RouteGroupBuilder write)
    {
        read.MapGet("/domains", async (DomainOperations domains, CancellationToken ct) => TypedResults.Ok(await domains.ListAsync(ct).ConfigureAwait(false)));
        read.MapGet("/domains/{domain}", async Task<IResult> (string domain, DomainOperations domains, CancellationToken ct) =>
            await domains.GetAsync(domain, ct).ConfigureAwait(false) is { } view ? TypedResults.Ok(view) : ApiResults.NotFound($"'{domain}' is not a local domain."));
        read.MapGet("/domains/{domain}/check", async Task<IResult> (string domain, DomainOperations domains, CancellationToken ct) =>
            await domains.CheckAsync(domain, ct).ConfigureAwait(false) is { } results ? TypedResults.Ok(results) : ApiResults.NotFound($"'{domain}' is not a local domain."));
        write.MapPost("/domains", async (DomainCreateRequest request, DomainOperations domains, HttpContext http) =>
            ApiResults.From(await domains.AddAsync(AdminActor.From(http), request.Name ?? "", http.RequestAborted).ConfigureAwait(false), () => TypedResults.Created($"/api/v1/domains/{Uri.EscapeDataString(MailAddressCanonicalizer.CanonicalizeDomain(request.Name) ?? "")}")));
        write.MapDelete("/domains/{domain}", async (string domain, DomainOperations domains, HttpContext http) =>
            ApiResults.From(await domains.RemoveAsync(AdminActor.From(http), domain, http.RequestAborted).ConfigureAwait(false)));
        write.MapPost("/domains/{domain}/dkim", async Task<IResult> (string domain, DkimKeyRequest? request, DomainOperations domains, HttpContext http) =>
        {
            var (view, problem) = await domains.CreateDkimKeyAsync(AdminActor.From(http), domain, request?.Rotate ?? false, http.RequestAborted).ConfigureAwait(false);
            return view is not null ? TypedResults.Ok(view) : ApiResults.Problem(StatusCodes.Status409Conflict, "DkimKey", problem);
        });
    }

    private static void MapAccounts(RouteGroupBuilder read, RouteGroupBuilder write)
    {
        read.MapGet("/accounts", async (IAccountAdministration accounts, CancellationToken ct) => TypedResults.Ok(await accounts.ListAccountsAsync(ct).ConfigureAwait(false)));
        read.MapGet("/accounts/{name}", async Task<IResult> (string name, int? logins, IAccountAdministration accounts, CancellationToken ct) =>
            await accounts.GetAccountAsync(name, Count(logins, 20), ct).ConfigureAwait(false) is { } details
                ? TypedResults.Ok(AccountView.From(details))
                : ApiResults.NotFound($"There is no account '{name}'."));
        read.MapGet("/accounts/{name}/logins", async (string name, int? count, IAccountAdministration accounts, CancellationToken ct) =>
            TypedResults.Ok((await accounts.GetRecentLoginsAsync(name, Count(count, 50), ct).ConfigureAwait(false)).Select(LoginView.From)));
        write.MapPost("/accounts", async (AccountCreateRequest request, AccountOperations accounts, HttpContext http) =>
            ApiResults.From(
                await accounts.CreateAsync(AdminActor.From(http), request.Name ?? "", request.Addresses ?? [], request.Password ?? "", http.RequestAborted).ConfigureAwait(false),
                () => TypedResults.Created($"/api/v1/accounts/{Uri.EscapeDataString(MailAddressCanonicalizer.CanonicalizeAccountName(request.Name) ?? "")}")));
        write.MapPut("/accounts/{name}/password", async (string name, PasswordRequest request, AccountOperations accounts, HttpContext http) =>
            ApiResults.From(await accounts.SetPasswordAsync(AdminActor.From(http), name, request.Password ?? "", http.RequestAborted).ConfigureAwait(false)));
        write.MapPut("/accounts/{name}/disabled", async (string name, DisabledRequest request, AccountOperations accounts, HttpContext http) =>
            ApiResults.From(await accounts.SetDisabledAsync(AdminActor.From(http), name, request.Disabled, http.RequestAborted).ConfigureAwait(false)));
        write.MapPut("/accounts/{name}/administrator", async (string name, AdministratorRequest request, AccountOperations accounts, HttpContext http) =>
            ApiResults.From(await accounts.SetAdministratorAsync(AdminActor.From(http), name, request.Administrator, http.RequestAborted).ConfigureAwait(false)));
        read.MapGet("/accounts/{name}/quota", async Task<IResult> (string name, QuotaOperations quotas, CancellationToken ct) =>
            await quotas.GetAsync(name, ct).ConfigureAwait(false) is { } usage ? TypedResults.Ok(usage) : ApiResults.NotFound($"There is no account '{name}' with a quota."));
        write.MapPut("/accounts/{name}/quota", async Task<IResult> (string name, QuotaRequest request, QuotaOperations quotas, HttpContext http) =>
        {
            var limits = request.Default ? null : new QuotaLimits(request.Storage, request.Messages);
            var change = await quotas.SetAsync(AdminActor.From(http), name, limits, http.RequestAborted).ConfigureAwait(false);
            return change switch
            {
                { Succeeded: true } => TypedResults.NoContent(),
                { UnknownAccount: true } => ApiResults.NotFound(change.Message),
                { StoreFailed: true } => ApiResults.Problem(StatusCodes.Status503ServiceUnavailable, "StoreUnavailable", change.Message),
                _ => ApiResults.BadRequest(change.Message),
            };
        });
        write.MapDelete("/accounts/{name}", async (string name, AccountOperations accounts, HttpContext http) =>
            ApiResults.From(await accounts.RemoveAsync(AdminActor.From(http), name, http.RequestAborted).ConfigureAwait(false)));
        MapAppPasswords(read, write);
    }

    private static void MapAppPasswords(RouteGroupBuilder read, RouteGroupBuilder write)
    {
        read.MapGet("/accounts/{name}/app-passwords", async Task<IResult> (string name, AppPasswordOperations appPasswords, CancellationToken ct) =>
            await appPasswords.ListAsync(name, ct).ConfigureAwait(false) is { } list
                ? TypedResults.Ok(list.Select(AppPasswordView.From))
                : ApiResults.NotFound($"There is no account '{name}'."));
        write.MapPost("/accounts/{name}/app-passwords", async Task<IResult> (string name, AppPasswordCreateRequest request, AppPasswordOperations appPasswords, HttpContext http) =>
        {
            var protocols = request.Protocols is null ? null : string.Join(',', request.Protocols);
            var creation = await appPasswords.CreateAsync(
                AdminActor.From(http), name, request.Name, protocols, request.Networks ?? [], request.Expires, http.RequestAborted).ConfigureAwait(false);
            return creation switch
            {
                { Created: { } created } => TypedResults.Ok(new AppPasswordCreatedResponse(AppPasswordView.From(created.AppPassword), created.Secret)),
                { UnknownAccount: true } => ApiResults.NotFound(creation.Problem!),
                _ => ApiResults.BadRequest(creation.Problem!),
            };
        });
        write.MapDelete("/accounts/{name}/app-passwords/{id}", async Task<IResult> (string name, string id, AppPasswordOperations appPasswords, HttpContext http) =>
            await appPasswords.RevokeAsync(AdminActor.From(http), name, id, http.RequestAborted).ConfigureAwait(false)
                ? TypedResults.NoContent()
                : ApiResults.NotFound($"Account '{name}' has no app password '{id}'."));
        write.MapPut("/accounts/{name}/app-passwords/required", async (string name, AppPasswordsRequiredRequest request, AppPasswordOperations appPasswords, HttpContext http) =>
            ApiResults.From(await appPasswords.SetRequiredAsync(AdminActor.From(http), name, request.Required, http.RequestAborted).ConfigureAwait(false)));
    }

    private static void MapAliases(RouteGroupBuilder read, RouteGroupBuilder write)
    {
        read.MapGet("/aliases", async (IAccountAdministration accounts, CancellationToken ct) => TypedResults.Ok(await accounts.ListAliasesAsync(ct).ConfigureAwait(false)));
        write.MapPost("/aliases", async (AliasCreateRequest request, AccountOperations accounts, HttpContext http) =>
            ApiResults.From(await accounts.AddAliasAsync(AdminActor.From(http), request.Address ?? "", request.Account ?? "", http.RequestAborted).ConfigureAwait(false), () => TypedResults.Created()));
        write.MapDelete("/aliases/{address}", async (string address, AccountOperations accounts, HttpContext http) =>
            ApiResults.From(await accounts.RemoveAliasAsync(AdminActor.From(http), address, http.RequestAborted).ConfigureAwait(false)));
    }

    private static void MapQueue(RouteGroupBuilder read, RouteGroupBuilder write)
    {
        read.MapGet("/queue", async (QueueOperations queue, CancellationToken ct) => TypedResults.Ok(await queue.ListAsync(ct).ConfigureAwait(false)));
        read.MapGet("/queue/{id}", async Task<IResult> (string id, QueueOperations queue, CancellationToken ct) =>
            await queue.GetAsync(id, ct).ConfigureAwait(false) is { } message ? TypedResults.Ok(message) : ApiResults.NotFound($"There is no queued message '{id}'."));
        write.MapPost("/queue/{id}/retry", async Task<IResult> (string id, QueueOperations queue, HttpContext http) =>
            await queue.RetryAsync(AdminActor.From(http), id, http.RequestAborted).ConfigureAwait(false) ? TypedResults.NoContent() : ApiResults.NotFound($"There is no queued message '{id}'."));
        write.MapDelete("/queue/{id}", async Task<IResult> (string id, QueueOperations queue, HttpContext http) =>
            await queue.RemoveAsync(AdminActor.From(http), id, http.RequestAborted).ConfigureAwait(false) ? TypedResults.NoContent() : ApiResults.NotFound($"There is no queued message '{id}'."));
    }

    private static void MapApiKeys(RouteGroupBuilder read, RouteGroupBuilder write)
    {
        read.MapGet("/apikeys", async (ApiKeyOperations keys, CancellationToken ct) => TypedResults.Ok(await keys.ListAsync(ct).ConfigureAwait(false)));
        write.MapPost("/apikeys", async Task<IResult> (ApiKeyCreateRequest request, ApiKeyOperations keys, HttpContext http) =>
        {
            var (created, problem) = await keys.CreateAsync(AdminActor.From(http), request.Name ?? "", request.Scope, http.RequestAborted).ConfigureAwait(false);
            return created is null ? ApiResults.BadRequest(problem ?? "The key was not created.") : TypedResults.Ok(new ApiKeyCreatedResponse(created.Key, created.Token));
        });
        write.MapDelete("/apikeys/{id}", async Task<IResult> (string id, ApiKeyOperations keys, HttpContext http) =>
            await keys.RevokeAsync(AdminActor.From(http), id, http.RequestAborted).ConfigureAwait(false) ? TypedResults.NoContent() : ApiResults.NotFound($"There is no active API key '{id}'."));
    }

    private static void MapMe(RouteGroupBuilder me)
    {
        me.MapGet("", async Task<IResult> (HttpContext http, IAccountAdministration accounts) =>
            await accounts.GetAccountAsync(http.User.Identity!.Name!, 50, http.RequestAborted).ConfigureAwait(false) is { } details
                ? TypedResults.Ok(AccountView.From(details))
                : ApiResults.NotFound("The account is gone."));
        me.MapPut("/password", async (OwnPasswordRequest request, SelfService self, HttpContext http) =>
            ApiResults.From(await self.ChangePasswordAsync(http, request.CurrentPassword ?? "", request.NewPassword ?? "").ConfigureAwait(false)));
    }

    private static int Count(int? count, int fallback) => Math.Clamp(count ?? fallback, 1, MaxCount);
}
