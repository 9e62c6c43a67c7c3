using MailHost.Accounts;
using MailHost.Logins;
using MailHost.Server.Administration.Operations;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MailHost.Server.Admin;

/// <content>
/// The <c>users app-passwords</c> commands: separate, revocable passwords for a phone or a program, through the
/// operations the API uses.
/// </content>
public static partial class AdminCli
{
    private const string NameOption = "name";
    private const string ProtocolsOption = "protocols";
    private const string NetworkOption = "network";
    private const string ExpiresOption = "expires";
    private const string OffFlag = "off";

    private static async Task<int> RunAppPasswordsAsync(List<string> words, Context context)
    {
        if (words is [])
        {
            return await context.UsageAsync("missing users app-passwords command (add, list, revoke, require)", Usage).ConfigureAwait(false);
        }

        var rest = words.Skip(1);
        switch (words[0])
        {
            case "add":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 1, [NameOption, ProtocolsOption, NetworkOption, ExpiresOption], []).ConfigureAwait(false);
                return arguments is null ? exit : await AppPasswordsAddAsync(arguments, context).ConfigureAwait(false);
            }

            case "list":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 1, [], []).ConfigureAwait(false);
                return arguments is null ? exit : await AppPasswordsListAsync(arguments.Positionals[0], context).ConfigureAwait(false);
            }

            case "revoke":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 2, [], []).ConfigureAwait(false);
                if (arguments is null)
                {
                    return exit;
                }

                var (account, id) = (arguments.Positionals[0], arguments.Positionals[1]);
                var operations = await OpenAppPasswordsAsync(context).ConfigureAwait(false);
                if (operations is null)
                {
                    return ExitFailure;
                }

                if (!await operations.RevokeAsync(AdminActor.CommandLine(), account, id, context.CancellationToken).ConfigureAwait(false))
                {
                    return await context.FailAsync($"Account '{AdminText.Printable(AccountTarget(account))}' has no app password '{AdminText.Printable(id)}'.").ConfigureAwait(false);
                }

                await context.Out.WriteLineAsync($"App password {id.ToLowerInvariant()} of account '{AccountTarget(account)}' revoked; it is refused from now on.").ConfigureAwait(false);
                return ExitSuccess;
            }

            case "require":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 1, [], [OffFlag]).ConfigureAwait(false);
                if (arguments is null)
                {
                    return exit;
                }

                var operations = await OpenAppPasswordsAsync(context).ConfigureAwait(false);
                if (operations is null)
                {
                    return ExitFailure;
                }

                var result = await operations.SetRequiredAsync(AdminActor.CommandLine(), arguments.Positionals[0], !arguments.HasFlag(OffFlag), context.CancellationToken).ConfigureAwait(false);
                return await context.ReportAsync(result).ConfigureAwait(false);
            }

            case var verb when HelpWords.Contains(verb):
                return await context.HelpAsync(Usage).ConfigureAwait(false);

            default:
                return await context.UsageAsync($"unknown users app-passwords command {AdminText.Printable(words[0])}", Usage).ConfigureAwait(false);
        }
    }

    private static async Task<int> AppPasswordsAddAsync(AdminArguments arguments, Context context)
    {
        var name = arguments.Values(NameOption) is [.., var last] ? last : null;
        if (name is null)
        {
            return await context.UsageAsync("users app-passwords add needs --name <device>", Usage).ConfigureAwait(false);
        }

        var protocols = arguments.Values(ProtocolsOption) is [.., var list] ? list : null;
        var expires = arguments.Values(ExpiresOption) is [.., var expiry] ? expiry : null;
        var operations = await OpenAppPasswordsAsync(context).ConfigureAwait(false);
        if (operations is null)
        {
            return ExitFailure;
        }

        var account = arguments.Positionals[0];
        var creation = await operations.CreateAsync(
            AdminActor.CommandLine(), account, name, protocols, arguments.Values(NetworkOption), expires, context.CancellationToken).ConfigureAwait(false);
        if (creation.Created is not { } created)
        {
            // Input the operations refused is a usage error, like any other bad option; an unknown account is a refusal.
            return creation.UnknownAccount
                ? await context.FailAsync(creation.Problem!).ConfigureAwait(false)
                : await context.UsageAsync(creation.Problem!, Usage).ConfigureAwait(false);
        }

        var appPassword = created.AppPassword;
        var target = AccountTarget(account);
        var rules = AppPasswordOperations.Rules(appPassword);
        await context.Out.WriteLineAsync(
            $"App password {appPassword.Id} ({AdminText.Printable(appPassword.Name)}) created for account '{target}': {rules}. Its secret:").ConfigureAwait(false);
        await context.Out.WriteLineAsync(created.Secret).ConfigureAwait(false);
        await context.WarnAsync(
            "the secret is not shown again: only a PBKDF2 record of it is stored. Type it into the device as its password, with or "
            + $"without the dashes; if it is lost, revoke it with 'users app-passwords revoke {target} {appPassword.Id}' and add another.").ConfigureAwait(false);
        return ExitSuccess;
    }

    private static async Task<int> AppPasswordsListAsync(string account, Context context)
    {
        var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
        var details = await directory.GetAccountAsync(account, 0, context.CancellationToken).ConfigureAwait(false);
        var list = await directory.ListAppPasswordsAsync(account, context.CancellationToken).ConfigureAwait(false);
        if (details is null || list is null)
        {
            return await context.FailAsync($"There is no account '{AdminText.Printable(AccountTarget(account))}'.").ConfigureAwait(false);
        }

        var name = details.Account.Name;
        await context.Out.WriteLineAsync(details.Account.RequiresAppPasswords
            ? $"Account '{name}' requires app passwords: its own password is refused for IMAP, POP3 and SMTP."
            : $"Account '{name}' accepts its own password and its app passwords.").ConfigureAwait(false);
        if (list.Count == 0)
        {
            await context.Out.WriteLineAsync("No app passwords.").ConfigureAwait(false);
            return ExitSuccess;
        }

        string[] header = ["ID", "NAME", "PROTOCOLS", "NETWORKS", "EXPIRES (UTC)", "CREATED (UTC)", "LAST USE"];
        var rows = list.Select(p => new[]
        {
            p.Id,
            AdminText.Printable(p.Name),
            AppPasswordFormat.ProtocolsText(p.Protocols),
            p.Networks.Count == 0 ? "any" : string.Join(",", p.Networks),
            p.Expires is { } expires ? AdminText.Time(expires) : "never",
            AdminText.Time(p.Created),
            LastUseText(p.LastUse),
        });
        await WriteTableAsync(context.Out, header, rows).ConfigureAwait(false);
        return ExitSuccess;
    }

    /// <summary>The last use as one cell: when, over what, from where and with which client.</summary>
    private static string LastUseText(AppPasswordUse? use)
    {
        if (use is null)
        {
            return "never";
        }

        var text = $"{AdminText.Time(use.Time)} {AdminText.Printable(use.Protocol)} from {use.RemoteAddress?.ToString() ?? "-"}";
        return use.ClientName is null ? text : $"{text} ({AdminText.Printable(use.ClientName)})";
    }

    /// <summary>The operations over the configured directory, with the configured iteration count; null after an error message.</summary>
    private static async Task<AppPasswordOperations?> OpenAppPasswordsAsync(Context context)
    {
        var iterations = await context.GetPasswordIterationsAsync().ConfigureAwait(false);
        if (iterations is null)
        {
            return null;
        }

        var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
        return new AppPasswordOperations(
            directory,
            new AdminAudit(directory, TimeProvider.System, NullLogger<AdminAudit>.Instance),
            Options.Create(new AuthenticationOptions { PasswordIterations = iterations.Value }),
            TimeProvider.System);
    }
}
