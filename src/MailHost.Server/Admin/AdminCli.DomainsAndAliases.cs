using MailHost.Accounts;

namespace MailHost.Server.Admin;

/// <content>The <c>domains</c> and <c>aliases</c> commands.</content>
public static partial class AdminCli
{
    private static async Task<int> RunDomainsAsync(List<string> words, Context context)
    {
        if (words is [])
        {
            return await context.UsageAsync("missing domains command (add, list, remove, dkim, check)", Usage).ConfigureAwait(false);
        }

        var rest = words.Skip(1);
        switch (words[0])
        {
            case "add" or "remove":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 1, [], []).ConfigureAwait(false);
                if (arguments is null)
                {
                    return exit;
                }

                var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
                var domain = arguments.Positionals[0];
                var add = words[0] == "add";
                var result = add
                    ? await directory.AddDomainAsync(domain, context.CancellationToken).ConfigureAwait(false)
                    : await directory.RemoveDomainAsync(domain, context.CancellationToken).ConfigureAwait(false);
                return await context.ReportChangeAsync(
                    directory, result, add ? AuditActions.DomainCreate : AuditActions.DomainRemove, MailAddressCanonicalizer.CanonicalizeDomain(domain) ?? domain).ConfigureAwait(false);
            }

            case "list":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 0, [], []).ConfigureAwait(false);
                if (arguments is null)
                {
                    return exit;
                }

                var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
                var domains = await directory.ListDomainsAsync(context.CancellationToken).ConfigureAwait(false);
                await context.Out.WriteLineAsync(domains.Count == 0 ? "No local domains." : string.Join(Environment.NewLine, domains)).ConfigureAwait(false);
                return ExitSuccess;
            }

            case "dkim":
                return await RunDomainsDkimAsync(rest, context).ConfigureAwait(false);

            case "check":
                return await RunDomainsCheckAsync(rest, context).ConfigureAwait(false);

            case var verb when HelpWords.Contains(verb):
                return await context.HelpAsync(Usage).ConfigureAwait(false);

            default:
                return await context.UsageAsync($"unknown domains command {AdminText.Printable(words[0])}", Usage).ConfigureAwait(false);
        }
    }

    private static async Task<int> RunAliasesAsync(List<string> words, Context context)
    {
        if (words is [])
        {
            return await context.UsageAsync("missing aliases command (add, list, remove)", Usage).ConfigureAwait(false);
        }

        var rest = words.Skip(1);
        switch (words[0])
        {
            case "add":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 2, [], []).ConfigureAwait(false);
                if (arguments is null)
                {
                    return exit;
                }

                var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
                var result = await directory.AddAliasAsync(arguments.Positionals[0], arguments.Positionals[1], context.CancellationToken).ConfigureAwait(false);
                return await context.ReportChangeAsync(
                    directory, result, AuditActions.AliasCreate, AddressTarget(arguments.Positionals[0]), "account: " + AccountTarget(arguments.Positionals[1])).ConfigureAwait(false);
            }

            case "remove":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 1, [], []).ConfigureAwait(false);
                if (arguments is null)
                {
                    return exit;
                }

                var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
                var result = await directory.RemoveAliasAsync(arguments.Positionals[0], context.CancellationToken).ConfigureAwait(false);
                return await context.ReportChangeAsync(directory, result, AuditActions.AliasRemove, AddressTarget(arguments.Positionals[0])).ConfigureAwait(false);
            }

            case "list":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 0, [], []).ConfigureAwait(false);
                if (arguments is null)
                {
                    return exit;
                }

                var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
                var aliases = await directory.ListAliasesAsync(context.CancellationToken).ConfigureAwait(false);
                if (aliases.Count == 0)
                {
                    await context.Out.WriteLineAsync("No aliases.").ConfigureAwait(false);
                    return ExitSuccess;
                }

                var width = aliases.Max(a => a.Address.Length);
                foreach (var alias in aliases)
                {
                    await context.Out.WriteLineAsync($"{alias.Address.PadRight(width)} -> {alias.AccountName}").ConfigureAwait(false);
                }

                return ExitSuccess;
            }

            case var verb when HelpWords.Contains(verb):
                return await context.HelpAsync(Usage).ConfigureAwait(false);

            default:
                return await context.UsageAsync($"unknown aliases command {AdminText.Printable(words[0])}", Usage).ConfigureAwait(false);
        }
    }
}
