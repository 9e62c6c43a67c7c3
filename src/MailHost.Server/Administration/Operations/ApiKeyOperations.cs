using MailHost.Accounts;

namespace MailHost.Server.Administration.Operations;

/// <summary>API keys for automation, made and revoked by operators, audited. The token is shown once, at creation.</summary>
internal sealed class ApiKeyOperations(IAdministrationDirectory operators, AdminAudit audit)
{
    public Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken) => operators.ListApiKeysAsync(cancellationToken).AsTask();

    /// <summary>A new key; null and the reason when the name is not acceptable.</summary>
    public async Task<(ApiKeyCreated? Key, string? Problem)> CreateAsync(AdminActor actor, string name, ApiKeyScope scope, CancellationToken cancellationToken)
    {
        ApiKeyCreated created;
        try
        {
            created = await operators.CreateApiKeyAsync(name, scope, actor.Name, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            return (null, ex.Message);
        }

        await audit.RecordAsync(actor, AuditActions.ApiKeyCreate, created.Key.Id, $"{created.Key.Name} ({scope})", cancellationToken).ConfigureAwait(false);
        return (created, null);
    }

    public async Task<bool> RevokeAsync(AdminActor actor, string id, CancellationToken cancellationToken)
    {
        if (!await operators.RevokeApiKeyAsync(id, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await audit.RecordAsync(actor, AuditActions.ApiKeyRevoke, id, null, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
