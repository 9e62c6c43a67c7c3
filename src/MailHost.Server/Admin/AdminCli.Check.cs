using System.Globalization;
using MailHost.Accounts;
using MailHost.Dkim;
using MailHost.Hosting;
using MailHost.Server.DnsCheck;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace MailHost.Server.Admin;

/// <content>
/// The <c>domains check</c> command: checks the DNS and setup of a local domain against this host's configuration and
/// prints, for everything missing or wrong, the exact record to publish.
/// </content>
public static partial class AdminCli
{
    private const string HostnameKey = "MailHost:Hostname";
    private const string EndpointsKey = "MailHost:Endpoints";

    // Wide enough for the longest check name ("TLS cert", "MTA-STS", "TLS-RPT").
    private const int CheckNameWidth = 9;

    /// <summary><c>domains check &lt;domain&gt;</c>: one OK/WARN/FAIL line per check and a summary; exit 2 when any line is FAIL.</summary>
    private static async Task<int> RunDomainsCheckAsync(IEnumerable<string> words, Context context)
    {
        var (arguments, exit) = await ParseAsync(context, words, 1, [], []).ConfigureAwait(false);
        if (arguments is null)
        {
            return exit;
        }

        var domain = MailAddressCanonicalizer.CanonicalizeDomain(arguments.Positionals[0]);
        if (domain is null)
        {
            return await context.FailAsync($"'{AdminText.Printable(arguments.Positionals[0])}' is not a valid domain.").ConfigureAwait(false);
        }

        var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
        if (!await directory.IsLocalDomainAsync(domain, context.CancellationToken).ConfigureAwait(false))
        {
            return await context.FailAsync($"Domain '{domain}' is not a local domain; add it first with 'domains add {domain}'.").ConfigureAwait(false);
        }

        var hostname = (context.Configuration[HostnameKey] is { Length: > 0 } configured ? configured : new MailHostOptions().Hostname).TrimEnd('.').ToLowerInvariant();
        var setup = new DomainSetup(
            domain,
            hostname,
            await ReadDkimKeyAsync(domain, context).ConfigureAwait(false),
            MailEndpointConfigurationReader.Read(context.Configuration.GetSection(EndpointsKey)),
            ServedCertificate.Load(context.Configuration, hostname));
        try
        {
            var dns = new DnsCheckLookups(context.DnsResolver, DnsCheckLookups.DefaultLookupTimeout, TimeProvider.System);
            var results = await DomainChecker.Default.RunAsync(setup, dns, TimeProvider.System, context.CancellationToken).ConfigureAwait(false);
            return await PrintCheckAsync(context, domain, setup.Hostname, results).ConfigureAwait(false);
        }
        finally
        {
            setup.Certificate.Certificate?.Dispose();
        }
    }

    /// <summary>The key <c>domains dkim</c> made, from the same store; a store that fails is reported and read as "no key".</summary>
    private static async Task<DkimKey?> ReadDkimKeyAsync(string domain, Context context)
    {
        try
        {
            var keys = await context.Stores.OpenDkimKeysAsync().ConfigureAwait(false);
            return await keys.GetAsync(domain, context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is SqliteException or NpgsqlException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            await context.WarnAsync($"the key store in {context.Stores.Description} failed: {exception.Message}").ConfigureAwait(false);
            return null;
        }
    }

    private static async Task<int> PrintCheckAsync(Context context, string domain, string hostname, IReadOnlyList<DomainCheckResult> results)
    {
        await context.Out.WriteLineAsync($"Checking {domain} for this host ({hostname}):").ConfigureAwait(false);
        foreach (var result in results)
        {
            var status = result.Status switch
            {
                DomainCheckStatus.Ok => "OK",
                DomainCheckStatus.Warn => "WARN",
                _ => "FAIL",
            };

            // DNS answers are someone else's text: never let them carry terminal escapes.
            await context.Out.WriteLineAsync($"{status,-5}{result.Check,-CheckNameWidth}{AdminText.Printable(result.Message)}").ConfigureAwait(false);
            if (result.Publish is not null)
            {
                await context.Out.WriteLineAsync(new string(' ', 5 + CheckNameWidth) + AdminText.Printable(result.Publish)).ConfigureAwait(false);
            }
        }

        int Count(DomainCheckStatus status) => results.Count(r => r.Status == status);
        var failures = Count(DomainCheckStatus.Fail);
        await context.Out.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture, $"{Count(DomainCheckStatus.Ok)} OK, {Count(DomainCheckStatus.Warn)} WARN, {failures} FAIL")).ConfigureAwait(false);
        return failures > 0 ? ExitFailure : ExitSuccess;
    }
}
