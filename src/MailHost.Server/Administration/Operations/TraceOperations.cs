using MailHost.Accounts;
using MailHost.Server.Administration.Tracing;

namespace MailHost.Server.Administration.Operations;

/// <summary>Live protocol traces started and stopped by operators, audited (the console and the API).</summary>
internal sealed class TraceOperations(LiveTraces traces, AdminAudit audit)
{
    /// <summary>A new trace of one account or one client address for <paramref name="minutes"/>; null and the reason when refused.</summary>
    public async Task<(LiveTrace? Trace, string? Problem)> StartAsync(AdminActor actor, string? account, string? address, int minutes, CancellationToken cancellationToken)
    {
        var (trace, problem) = traces.Start(account, address, TimeSpan.FromMinutes(minutes), actor.Name);
        if (trace is not null)
        {
            await audit.RecordAsync(actor, AuditActions.TraceStart, trace.Account ?? trace.Address!.ToString(), $"{minutes} min, trace {trace.Id}", cancellationToken).ConfigureAwait(false);
        }

        return (trace, problem);
    }

    /// <summary>Stops a trace; false when there is none with that id.</summary>
    public async Task<bool> StopAsync(AdminActor actor, string id, CancellationToken cancellationToken)
    {
        if (!traces.Stop(id))
        {
            return false;
        }

        await audit.RecordAsync(actor, AuditActions.TraceStop, id, null, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
