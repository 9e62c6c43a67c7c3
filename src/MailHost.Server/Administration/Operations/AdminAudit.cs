using MailHost.Accounts;

namespace MailHost.Server.Administration.Operations;

/// <summary>
/// Writes every administrative change to the audit log in the account directory (readable in the console, the API
/// and <c>mailhost audit</c>) and to the server log, so a change is traceable even when the directory is shared.
/// </summary>
internal sealed partial class AdminAudit(IAdministrationDirectory directory, TimeProvider time, ILogger<AdminAudit> logger)
{
    /// <summary>Records a change that was made.</summary>
    public async Task RecordAsync(AdminActor actor, string action, string target, string? detail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        LogChange(logger, actor.Name, actor.RemoteAddress ?? "local", action, target);
        await directory.AppendAuditAsync(new AuditEntry(time.GetUtcNow(), actor.Name, actor.RemoteAddress, action, target, detail), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records <paramref name="result"/> when it is a change that succeeded; returns it.</summary>
    public async Task<AccountAdministrationResult> RecordAsync(AdminActor actor, string action, string target, AccountAdministrationResult result, CancellationToken cancellationToken)
    {
        if (result.Succeeded)
        {
            await RecordAsync(actor, action, target, null, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    [LoggerMessage(1520, LogLevel.Information, "Administration: {Actor} from {RemoteAddress}: {Action} {Target}")]
    private static partial void LogChange(ILogger logger, string actor, string remoteAddress, string action, string target);
}
