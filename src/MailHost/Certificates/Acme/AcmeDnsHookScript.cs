using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace MailHost.Certificates.Acme;

/// <summary>
/// The built-in <see cref="IAcmeDnsChallenge"/>: runs the operator's script as
/// <c>SCRIPT set|clear _acme-challenge.NAME VALUE</c> (arguments passed as they are, no shell in between). Exit code 0
/// means done; any other fails the attempt, with the script's standard error in the log.
/// </summary>
internal sealed class AcmeDnsHookScript(string script, ILogger<AcmeDnsHookScript> logger) : IAcmeDnsChallenge
{
    /// <summary>How long one run may take: propagation waits belong in the script, but not for ever.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    public Task SetTxtRecordAsync(string recordName, string value, CancellationToken cancellationToken) =>
        RunAsync("set", recordName, value, cancellationToken);

    public Task ClearTxtRecordAsync(string recordName, string value, CancellationToken cancellationToken) =>
        RunAsync("clear", recordName, value, cancellationToken);

    private async Task RunAsync(string action, string recordName, string value, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(script)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(action);
        start.ArgumentList.Add(recordName);
        start.ArgumentList.Add(value);

        using var process = Process.Start(start) ?? throw new AcmeException($"The DNS hook {script} did not start.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new AcmeException($"The DNS hook {script} {action} {recordName} did not finish within {Timeout.TotalMinutes:0} minutes.");
        }

        var stderr = (await error.ConfigureAwait(false)).Trim();
        await output.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            AcmeLog.DnsHookFailed(logger, script, action, recordName, process.ExitCode, stderr);
            throw new AcmeException($"The DNS hook {script} {action} {recordName} exited with {process.ExitCode}: {(stderr.Length == 0 ? "(nothing on standard error)" : stderr)}");
        }

        AcmeLog.DnsHookRan(logger, script, action, recordName);
    }
}
