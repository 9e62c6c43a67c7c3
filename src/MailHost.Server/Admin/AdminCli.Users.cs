using System.Globalization;
using System.Text;
using MailHost.Accounts;
using MailHost.Accounts.Sql;

namespace MailHost.Server.Admin;

/// <content>The <c>users</c> commands.</content>
public static partial class AdminCli
{
    private const int DefaultShownLogins = 20;
    private const int StoredLoginHistoryLimit = SqlAccountDirectory.LoginHistoryPerAccount;
    private const string PasswordOption = "password";
    private const string PasswordStdinOption = "password-stdin";
    private const string PasswordOptionWarning =
        "--password puts the password in the process list and the shell history, where other local users can read it; use --password-stdin.";

    private static async Task<int> RunUsersAsync(List<string> words, Context context)
    {
        if (words is [])
        {
            return await context.UsageAsync("missing users command (add, list, show, passwd, disable, enable, remove, quota, admin, totp, app-passwords, policy)", Usage).ConfigureAwait(false);
        }

        var rest = words.Skip(1);
        switch (words[0])
        {
            case "add":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 1, ["address", PasswordOption], [PasswordStdinOption]).ConfigureAwait(false);
                return arguments is null ? exit : await UsersAddAsync(arguments, context).ConfigureAwait(false);
            }

            case "list":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 0, [], []).ConfigureAwait(false);
                return arguments is null ? exit : await UsersListAsync(context).ConfigureAwait(false);
            }

            case "show":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 1, ["logins"], []).ConfigureAwait(false);
                return arguments is null ? exit : await UsersShowAsync(arguments, context).ConfigureAwait(false);
            }

            case "policy":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 1, [NetworkOption, AppPasswordOption], []).ConfigureAwait(false);
                return arguments is null ? exit : await UsersPolicyAsync(arguments, context).ConfigureAwait(false);
            }

            case "passwd":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 1, [PasswordOption], [PasswordStdinOption]).ConfigureAwait(false);
                return arguments is null ? exit : await UsersPasswdAsync(arguments, context).ConfigureAwait(false);
            }

            case "disable" or "enable":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 1, [], []).ConfigureAwait(false);
                if (arguments is null)
                {
                    return exit;
                }

                var disable = words[0] == "disable";
                var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
                var result = await directory.SetDisabledAsync(arguments.Positionals[0], disable, context.CancellationToken).ConfigureAwait(false);
                return await context.ReportChangeAsync(
                    directory, result, disable ? AuditActions.AccountDisable : AuditActions.AccountEnable, AccountTarget(arguments.Positionals[0])).ConfigureAwait(false);
            }

            case "remove":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 1, [], []).ConfigureAwait(false);
                if (arguments is null)
                {
                    return exit;
                }

                var directory = await context.OpenDirectoryWithMailAsync().ConfigureAwait(false);
                var result = await directory.RemoveAccountAsync(arguments.Positionals[0], context.CancellationToken).ConfigureAwait(false);
                var target = AccountTarget(arguments.Positionals[0]);
                if (result.Error == AccountAdministrationError.MailRemovalPending)
                {
                    // The account is gone from the directory all the same: that change is recorded, the refusal reported.
                    await context.AuditAsync(directory, AuditActions.AccountRemove, target, "mail removal pending").ConfigureAwait(false);
                    return await context.ReportAsync(result).ConfigureAwait(false);
                }

                return await context.ReportChangeAsync(directory, result, AuditActions.AccountRemove, target).ConfigureAwait(false);
            }

            case "quota":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 1, [StorageOption, MessagesOption], [DefaultQuotaFlag]).ConfigureAwait(false);
                return arguments is null ? exit : await UsersQuotaAsync(arguments, context).ConfigureAwait(false);
            }

            case "admin":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 1, [], [RevokeFlag]).ConfigureAwait(false);
                return arguments is null ? exit : await UsersAdminAsync(arguments, context).ConfigureAwait(false);
            }

            case "totp":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 1, [], [EnableFlag, DisableFlag]).ConfigureAwait(false);
                return arguments is null ? exit : await UsersTotpAsync(arguments, context).ConfigureAwait(false);
            }

            case "app-passwords":
                return await RunAppPasswordsAsync([.. rest], context).ConfigureAwait(false);

            case var verb when HelpWords.Contains(verb):
                return await context.HelpAsync(Usage).ConfigureAwait(false);

            default:
                return await context.UsageAsync($"unknown users command {AdminText.Printable(words[0])}", Usage).ConfigureAwait(false);
        }
    }

    private static async Task<int> UsersAddAsync(AdminArguments arguments, Context context)
    {
        var addresses = arguments.Values("address");
        if (addresses.Count == 0)
        {
            return await context.UsageAsync("users add needs at least one --address", Usage).ConfigureAwait(false);
        }

        var (record, exit) = await CreatePasswordRecordAsync(arguments, context).ConfigureAwait(false);
        if (record is null)
        {
            return exit;
        }

        var directory = await context.OpenDirectoryWithMailAsync().ConfigureAwait(false);
        var result = await directory.AddAccountAsync(arguments.Positionals[0], addresses, record, context.CancellationToken).ConfigureAwait(false);
        var detail = "addresses: " + string.Join(", ", addresses.Select(a => MailAddressCanonicalizer.CanonicalizeAddress(a) ?? a).Distinct(StringComparer.Ordinal));
        return await context.ReportChangeAsync(directory, result, AuditActions.AccountCreate, AccountTarget(arguments.Positionals[0]), detail).ConfigureAwait(false);
    }

    private static async Task<int> UsersPasswdAsync(AdminArguments arguments, Context context)
    {
        var (record, exit) = await CreatePasswordRecordAsync(arguments, context).ConfigureAwait(false);
        if (record is null)
        {
            return exit;
        }

        var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
        var result = await directory.SetPasswordAsync(arguments.Positionals[0], record, context.CancellationToken).ConfigureAwait(false);
        return await context.ReportChangeAsync(directory, result, AuditActions.AccountPassword, AccountTarget(arguments.Positionals[0])).ConfigureAwait(false);
    }

    private static async Task<int> UsersListAsync(Context context)
    {
        var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
        var accounts = await directory.ListAccountsAsync(context.CancellationToken).ConfigureAwait(false);
        if (accounts.Count == 0)
        {
            await context.Out.WriteLineAsync("No accounts.").ConfigureAwait(false);
            return ExitSuccess;
        }

        var width = Math.Max("ACCOUNT".Length, accounts.Max(a => a.Name.Length));
        await context.Out.WriteLineAsync($"{"ACCOUNT".PadRight(width)}  {"STATUS",-8}  ADDRESSES (ALIASES)").ConfigureAwait(false);
        foreach (var account in accounts)
        {
            var line = new StringBuilder();
            line.Append(account.Name.PadRight(width)).Append("  ").Append((account.Disabled ? "disabled" : "enabled").PadRight(8)).Append("  ");
            line.AppendJoin(", ", account.Addresses);
            if (account.Aliases.Count > 0)
            {
                line.Append(account.Addresses.Count > 0 ? " " : string.Empty).Append('(').AppendJoin(", ", account.Aliases).Append(')');
            }

            await context.Out.WriteLineAsync(line.ToString()).ConfigureAwait(false);
        }

        return ExitSuccess;
    }

    private static async Task<int> UsersShowAsync(AdminArguments arguments, Context context)
    {
        var shown = DefaultShownLogins;
        if (arguments.Values("logins") is [.., var count]
            && (!int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out shown) || shown > StoredLoginHistoryLimit))
        {
            return await context.UsageAsync(
                string.Create(CultureInfo.InvariantCulture, $"--logins takes a number from 0 to {StoredLoginHistoryLimit}"),
                Usage).ConfigureAwait(false);
        }

        var name = arguments.Positionals[0];
        if (MailAddressCanonicalizer.CanonicalizeAccountName(name) is null)
        {
            return await context.FailAsync($"{AdminText.Printable(name)} is not a valid account name.").ConfigureAwait(false);
        }

        var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
        var details = await directory.GetAccountAsync(name, shown, context.CancellationToken).ConfigureAwait(false);
        if (details is null)
        {
            return await context.FailAsync($"There is no account '{MailAddressCanonicalizer.CanonicalizeAccountName(name)}'.").ConfigureAwait(false);
        }

        var output = context.Out;
        var account = details.Account;
        await output.WriteLineAsync($"Account:   {account.Name}").ConfigureAwait(false);
        await output.WriteLineAsync($"Status:    {(account.Disabled ? "disabled" : "enabled")}").ConfigureAwait(false);
        await output.WriteLineAsync($"Password:  {(details.HasPassword ? "set" : "not set (cannot log in)")}").ConfigureAwait(false);
        await output.WriteLineAsync($"Role:      {(details.IsAdministrator ? "administrator" : "user")}").ConfigureAwait(false);
        await output.WriteLineAsync($"TOTP:      {(details.HasTotp ? "on" : "off")}").ConfigureAwait(false);
        await output.WriteLineAsync($"Mail auth: {(account.RequiresAppPasswords ? "app passwords only (users app-passwords list)" : "password or app passwords")}").ConfigureAwait(false);
        await output.WriteLineAsync($"Created:   {AdminText.Time(details.Created)}").ConfigureAwait(false);
        await WriteListAsync(output, "Addresses:", account.Addresses).ConfigureAwait(false);
        await WriteListAsync(output, "Aliases:", account.Aliases).ConfigureAwait(false);
        if (details.RecentLogins.Count == 0)
        {
            await output.WriteLineAsync("Recent logins: none recorded").ConfigureAwait(false);
            return ExitSuccess;
        }

        await output.WriteLineAsync("Recent logins (newest first):").ConfigureAwait(false);

        // The credential column only when an app password or a token was used: most accounts log in with their password alone.
        var withAppPasswords = details.RecentLogins.Any(login => login.AppPasswordId is not null || login.TokenIssuer is not null);
        string[] header = withAppPasswords
            ? ["TIME (UTC)", "PROTOCOL", "MECHANISM", "OUTCOME", "REMOTE", "TLS", "LOGIN", "APP PASSWORD / TOKEN", "CLIENT"]
            : ["TIME (UTC)", "PROTOCOL", "MECHANISM", "OUTCOME", "REMOTE", "TLS", "LOGIN", "CLIENT"];
        var rows = new List<string[]> { header };
        rows.AddRange(details.RecentLogins.Select(login => (string[])
        [
            AdminText.Time(login.Timestamp),
            AdminText.Printable(login.Protocol),
            AdminText.Printable(login.Mechanism),
            login.Outcome.ToString(),
            login.RemoteEndPoint?.ToString() ?? "-",
            login.Tls ? "yes" : "no",
            AdminText.Printable(login.Login),
            .. withAppPasswords ? [AppPasswordText(login)] : (string[])[],
            AdminText.Printable(login.ClientName),
        ]));
        var widths = Enumerable.Range(0, header.Length).Select(column => rows.Max(row => row[column].Length)).ToArray();
        foreach (var row in rows)
        {
            var line = new StringBuilder("  ");
            for (var column = 0; column < row.Length; column++)
            {
                line.Append(column == row.Length - 1 ? row[column] : row[column].PadRight(widths[column] + 2));
            }

            await output.WriteLineAsync(line.ToString().TrimEnd()).ConfigureAwait(false);
        }

        return ExitSuccess;
    }

    /// <summary>
    /// The app password a login used, as its name and id, or the issuer of its bearer token; <c>-</c> for the account's
    /// own password.
    /// </summary>
    private static string AppPasswordText(LoginRecord login) =>
        login.AppPasswordId is not null ? $"{AdminText.Printable(login.AppPasswordName)} ({login.AppPasswordId})"
        : login.TokenIssuer is not null ? "token from " + AdminText.Printable(login.TokenIssuer)
        : "-";

    private static async Task WriteListAsync(TextWriter output, string label, IReadOnlyList<string> items)
    {
        if (items.Count == 0)
        {
            await output.WriteLineAsync($"{label,-10} none").ConfigureAwait(false);
            return;
        }

        for (var i = 0; i < items.Count; i++)
        {
            await output.WriteLineAsync($"{(i == 0 ? label : string.Empty),-10} {items[i]}").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Takes the password from exactly one of <c>--password</c> and <c>--password-stdin</c> (one line) and derives
    /// its record; the plain password is not kept or printed.
    /// </summary>
    private static async Task<(PasswordRecord? Record, int ExitCode)> CreatePasswordRecordAsync(AdminArguments arguments, Context context)
    {
        var fromOption = arguments.Values(PasswordOption);
        var fromStdin = arguments.HasFlag(PasswordStdinOption);
        if (fromOption.Count + (fromStdin ? 1 : 0) != 1)
        {
            return (null, await context.UsageAsync("give the password once, with either --password or --password-stdin", Usage).ConfigureAwait(false));
        }

        string? password;
        if (fromStdin)
        {
            password = await context.In.ReadLineAsync(context.CancellationToken).ConfigureAwait(false);
            if (password is null)
            {
                return (null, await context.UsageAsync("--password-stdin: no password on standard input", Usage).ConfigureAwait(false));
            }
        }
        else
        {
            password = fromOption[0];
        }

        if (password.Length == 0)
        {
            return (null, await context.UsageAsync("the password must not be empty", Usage).ConfigureAwait(false));
        }

        if (!fromStdin)
        {
            // Exposed as soon as the command started, whatever the directory says next.
            await context.WarnAsync(PasswordOptionWarning).ConfigureAwait(false);
        }

        var iterations = await context.GetPasswordIterationsAsync().ConfigureAwait(false);
        return iterations is null ? (null, ExitFailure) : (PasswordRecord.Create(password, iterations.Value), ExitSuccess);
    }

    /// <summary>
    /// Splits the words after the verb; writes usage and returns <see cref="ExitUsage"/> (or the help and
    /// <see cref="ExitSuccess"/> for <c>--help</c>) when they are not acceptable.
    /// </summary>
    private static async Task<(AdminArguments? Arguments, int ExitCode)> ParseAsync(
        Context context, IEnumerable<string> words, int positionals, string[] valueOptions, string[] flagOptions)
    {
        var list = words.ToList();
        if (list.Contains("--help") || list.Contains("-h"))
        {
            return (null, await context.HelpAsync(Usage).ConfigureAwait(false));
        }

        var arguments = AdminArguments.Parse(list, valueOptions, flagOptions, out var error);
        if (arguments is null)
        {
            return (null, await context.UsageAsync(error!, Usage).ConfigureAwait(false));
        }

        if (arguments.Positionals.Count != positionals)
        {
            var problem = arguments.Positionals.Count < positionals
                ? "missing argument"
                : $"unexpected argument {AdminText.Printable(arguments.Positionals[positionals])}";
            return (null, await context.UsageAsync(problem, Usage).ConfigureAwait(false));
        }

        return (arguments, ExitSuccess);
    }
}
