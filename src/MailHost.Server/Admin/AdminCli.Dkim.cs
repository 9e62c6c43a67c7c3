using MailHost.Accounts;
using MailHost.Accounts.Sql;
using MailHost.Dkim;
using MailHost.Server.Administration.Operations;
using MailHost.Server.DnsCheck;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace MailHost.Server.Admin;

/// <content>The <c>domains dkim</c> command: a local domain's DKIM signing key and the DNS record that publishes it.</content>
public static partial class AdminCli
{
    private const string SelectorOption = "selector";
    private const string AlgorithmOption = "algorithm";
    private const string RotateFlag = "rotate";
    private const string ShowFlag = "show";

    /// <summary>
    /// <c>domains dkim &lt;domain&gt; [--selector s] [--algorithm rsa|ed25519] [--rotate | --show]</c>: prints the
    /// domain's key record, creating a key first when there is none (or a new one with <c>--rotate</c>).
    /// </summary>
    private static async Task<int> RunDomainsDkimAsync(IEnumerable<string> words, Context context)
    {
        var (arguments, exit) = await ParseAsync(context, words, 1, [SelectorOption, AlgorithmOption], [RotateFlag, ShowFlag]).ConfigureAwait(false);
        if (arguments is null)
        {
            return exit;
        }

        // Everything the command line alone can refuse is refused before any database is opened.
        var selectors = arguments.Values(SelectorOption);
        var algorithms = arguments.Values(AlgorithmOption);
        var rotate = arguments.HasFlag(RotateFlag);
        var show = arguments.HasFlag(ShowFlag);
        if (selectors.Count > 1 || algorithms.Count > 1)
        {
            return await context.UsageAsync("give --selector and --algorithm at most once", Usage).ConfigureAwait(false);
        }

        if (rotate && show)
        {
            return await context.UsageAsync("--rotate makes a new key and --show never does: give one of them", Usage).ConfigureAwait(false);
        }

        string? algorithm = null;
        if (algorithms is [var algorithmWord])
        {
            algorithm = algorithmWord switch
            {
                "rsa" => DkimAlgorithms.RsaSha256,
                "ed25519" => DkimAlgorithms.Ed25519Sha256,
                _ => null,
            };
            if (algorithm is null)
            {
                return await context.UsageAsync($"--algorithm takes rsa or ed25519, not {AdminText.Printable(algorithmWord)}", Usage).ConfigureAwait(false);
            }
        }

        string? selector = null;
        if (selectors is [var selectorWord])
        {
            if (!DkimKeys.IsValidSelector(selectorWord))
            {
                return await context.UsageAsync(
                    $"--selector {AdminText.Printable(selectorWord)} is not a valid selector (letters, digits and inner hyphens, RFC 6376 §3.1)", Usage).ConfigureAwait(false);
            }

            selector = selectorWord.ToLowerInvariant();
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

        try
        {
            var keys = await context.Stores.OpenDkimKeysAsync().ConfigureAwait(false);
            return await DkimAsync(keys, directory, domain, selector, algorithm, rotate, show, context).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is SqliteException or NpgsqlException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return await context.FailAsync($"the key store in {context.Stores.Description} failed: {exception.Message}").ConfigureAwait(false);
        }
    }

    private static async Task<int> DkimAsync(
        IDkimKeyStore keys, SqlAccountDirectory directory, string domain, string? selector, string? algorithm, bool rotate, bool show, Context context)
    {
        var existing = await keys.GetAsync(domain, context.CancellationToken).ConfigureAwait(false);
        if (existing is not null && !rotate)
        {
            if (selector is not null || algorithm is not null)
            {
                await context.WarnAsync($"domain '{domain}' already has a DKIM key; --selector and --algorithm apply to a new key, made with --rotate.").ConfigureAwait(false);
            }

            return await PrintDkimKeyAsync(context, existing, $"DKIM key of {domain}: selector {existing.Selector}, {existing.Algorithm}, created {AdminText.Time(existing.Created)}.").ConfigureAwait(false);
        }

        if (show)
        {
            return await context.FailAsync($"Domain '{domain}' has no DKIM key; create one with 'domains dkim {domain}'.").ConfigureAwait(false);
        }

        var (key, problem) = DkimKeyIssuer.Create(domain, selector, algorithm, existing, TimeProvider.System.GetUtcNow());
        if (key is null)
        {
            return await context.FailAsync(problem!).ConfigureAwait(false);
        }

        var saved = await keys.SaveAsync(key, context.CancellationToken).ConfigureAwait(false);
        if (!saved.IsSuccess)
        {
            return await context.FailAsync(saved.Error.Message).ConfigureAwait(false);
        }

        var exitCode = await PrintDkimKeyAsync(
            context,
            key,
            $"DKIM key created for {domain}: selector {key.Selector}, {key.Algorithm}. Outbound mail from {domain} is signed with it from now on.").ConfigureAwait(false);
        if (existing is not null)
        {
            await context.Out.WriteLineAsync(
                $"It replaces the key with selector {existing.Selector}: keep that record published for a few days, so that mail signed before the rotation still verifies.").ConfigureAwait(false);
        }

        var audited = await context.AuditAsync(
            directory,
            existing is null ? AuditActions.DkimCreate : AuditActions.DkimRotate,
            domain,
            $"selector {key.Selector}, {key.Algorithm}" + (existing is null ? string.Empty : $" (was {existing.Selector})")).ConfigureAwait(false);
        return exitCode != ExitSuccess ? exitCode : audited;
    }

    private static async Task<int> PrintDkimKeyAsync(Context context, DkimKey key, string headline)
    {
        if (!DkimKeys.TryGetDnsRecord(key, out var record, out var problem))
        {
            return await context.FailAsync($"The DKIM key of '{key.Domain}' (selector {key.Selector}) cannot be used: {problem}. Replace it with 'domains dkim {key.Domain} --rotate'.").ConfigureAwait(false);
        }

        await context.Out.WriteLineAsync(headline).ConfigureAwait(false);
        await context.Out.WriteLineAsync("Publish this DNS record:").ConfigureAwait(false);
        await context.Out.WriteLineAsync(ZoneRecords.Txt(DkimKeys.RecordName(key), record)).ConfigureAwait(false);
        return ExitSuccess;
    }
}
