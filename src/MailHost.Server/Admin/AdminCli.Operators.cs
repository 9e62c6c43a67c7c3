using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MailHost.Accounts;
using MailHost.Accounts.Sql;

namespace MailHost.Server.Admin;

/// <content>
/// What the administration console and its HTTP API rest on: <c>users admin</c> and <c>users totp</c>, the
/// <c>apikeys</c> commands and <c>audit</c>.
/// </content>
public static partial class AdminCli
{
    private const string RevokeFlag = "revoke";
    private const string EnableFlag = "enable";
    private const string DisableFlag = "disable";
    private const string ReadOnlyFlag = "read-only";
    private const string CountOption = "count";
    private const int DefaultShownAuditEntries = 50;

    // RFC 4226 §4 R6 recommends 160 bits; authenticator apps assume it too.
    private const int TotpSecretLength = 20;

    // The issuer authenticator apps show beside the code (Google's Key Uri Format: label prefix and issuer parameter).
    private const string TotpIssuer = "MailHost";

    private static async Task<int> UsersAdminAsync(AdminArguments arguments, Context context)
    {
        var grant = !arguments.HasFlag(RevokeFlag);
        var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
        var result = await directory.SetAdministratorAsync(arguments.Positionals[0], grant, context.CancellationToken).ConfigureAwait(false);
        return await context.ReportChangeAsync(
            directory, result, grant ? AuditActions.AccountAdminGrant : AuditActions.AccountAdminRevoke, AccountTarget(arguments.Positionals[0])).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>users totp &lt;account&gt; --enable | --disable</c>. The key is printed once, as base32 (RFC 4648 §6) and as an
    /// <c>otpauth://totp/</c> URI with the defaults every app assumes (SHA-1, 6 digits, 30 s: RFC 6238).
    /// </summary>
    private static async Task<int> UsersTotpAsync(AdminArguments arguments, Context context)
    {
        var enable = arguments.HasFlag(EnableFlag);
        if (enable == arguments.HasFlag(DisableFlag))
        {
            return await context.UsageAsync("users totp needs one of --enable and --disable", Usage).ConfigureAwait(false);
        }

        var target = AccountTarget(arguments.Positionals[0]);
        var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
        if (!enable)
        {
            var disabled = await directory.SetTotpSecretAsync(arguments.Positionals[0], null, context.CancellationToken).ConfigureAwait(false);
            return await context.ReportChangeAsync(directory, disabled, AuditActions.AccountTotpDisable, target).ConfigureAwait(false);
        }

        var secret = RandomNumberGenerator.GetBytes(TotpSecretLength);
        try
        {
            var result = await directory.SetTotpSecretAsync(arguments.Positionals[0], secret, context.CancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                return await context.FailAsync(result.Message).ConfigureAwait(false);
            }

            var encoded = Base32.Encode(secret, padding: false);
            // The label is "issuer:account"; the colon stays as it is (apps take it either way, and that is how
            // the format's own examples write it). Account names need no escaping, but an odd one must not break the URI.
            var label = TotpIssuer + ":" + Uri.EscapeDataString(target);
            await context.Out.WriteLineAsync(result.Message).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"Key (base32): {encoded}").ConfigureAwait(false);
            await context.Out.WriteLineAsync($"URI:          otpauth://totp/{label}?secret={encoded}&issuer={TotpIssuer}").ConfigureAwait(false);
            await context.WarnAsync(
                "add the key to an authenticator app now (type it, or show the URI as a QR code): it is not shown again. Signing in to the administration console asks for a code from now on.").ConfigureAwait(false);
            return await context.AuditAsync(directory, AuditActions.AccountTotpEnable, target, null).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private static async Task<int> RunApiKeysAsync(List<string> words, Context context)
    {
        if (words is [])
        {
            return await context.UsageAsync("missing apikeys command (add, list, revoke)", Usage).ConfigureAwait(false);
        }

        var rest = words.Skip(1);
        switch (words[0])
        {
            case "add":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 1, [], [ReadOnlyFlag]).ConfigureAwait(false);
                return arguments is null ? exit : await ApiKeysAddAsync(arguments, context).ConfigureAwait(false);
            }

            case "list":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 0, [], []).ConfigureAwait(false);
                return arguments is null ? exit : await ApiKeysListAsync(context).ConfigureAwait(false);
            }

            case "revoke":
            {
                var (arguments, exit) = await ParseAsync(context, rest, 1, [], []).ConfigureAwait(false);
                if (arguments is null)
                {
                    return exit;
                }

                var id = arguments.Positionals[0];
                var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
                if (!await directory.RevokeApiKeyAsync(id, context.CancellationToken).ConfigureAwait(false))
                {
                    return await context.FailAsync($"There is no active API key '{AdminText.Printable(id)}'.").ConfigureAwait(false);
                }

                var canonical = id.ToLowerInvariant();
                await context.Out.WriteLineAsync($"API key {canonical} revoked; it is refused from now on.").ConfigureAwait(false);
                return await context.AuditAsync(directory, AuditActions.ApiKeyRevoke, canonical, null).ConfigureAwait(false);
            }

            case var verb when HelpWords.Contains(verb):
                return await context.HelpAsync(Usage).ConfigureAwait(false);

            default:
                return await context.UsageAsync($"unknown apikeys command {AdminText.Printable(words[0])}", Usage).ConfigureAwait(false);
        }
    }

    private static async Task<int> ApiKeysAddAsync(AdminArguments arguments, Context context)
    {
        var name = arguments.Positionals[0];
        if (!ApiKeyTokens.IsValidName(name))
        {
            return await context.UsageAsync(
                string.Create(CultureInfo.InvariantCulture, $"an API key name has 1 to {ApiKeyTokens.MaxNameLength} printable characters, not {AdminText.Printable(name)}"),
                Usage).ConfigureAwait(false);
        }

        var scope = arguments.HasFlag(ReadOnlyFlag) ? ApiKeyScope.ReadOnly : ApiKeyScope.Full;
        var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
        var created = await directory.CreateApiKeyAsync(name, scope, context.Actor, context.CancellationToken).ConfigureAwait(false);
        await context.Out.WriteLineAsync($"API key {created.Key.Id} ({name}, {ScopeText(scope)}) created. Its token:").ConfigureAwait(false);
        await context.Out.WriteLineAsync(created.Token).ConfigureAwait(false);
        await context.WarnAsync(
            $"the token is not shown again: only a SHA-256 hash of its secret is stored. Keep it like a password; if it is lost, revoke the key with 'apikeys revoke {created.Key.Id}' and add another.").ConfigureAwait(false);
        return await context.AuditAsync(directory, AuditActions.ApiKeyCreate, created.Key.Id, $"{name} ({scope})").ConfigureAwait(false);
    }

    private static async Task<int> ApiKeysListAsync(Context context)
    {
        var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
        var keys = await directory.ListApiKeysAsync(context.CancellationToken).ConfigureAwait(false);
        if (keys.Count == 0)
        {
            await context.Out.WriteLineAsync("No API keys.").ConfigureAwait(false);
            return ExitSuccess;
        }

        string[] header = ["ID", "NAME", "SCOPE", "STATUS", "CREATED (UTC)", "LAST USED", "CREATED BY"];
        var rows = keys.Select(key => new[]
        {
            key.Id,
            AdminText.Printable(key.Name),
            ScopeText(key.Scope),
            key.Revoked ? "revoked" : "active",
            AdminText.Time(key.Created),
            key.LastUsed is { } used ? AdminText.Time(used) : "never",
            AdminText.Printable(key.CreatedBy),
        });
        await WriteTableAsync(context.Out, header, rows).ConfigureAwait(false);
        return ExitSuccess;
    }

    /// <summary><c>audit [--count n]</c>: the newest entries of the audit log first.</summary>
    private static async Task<int> RunAuditAsync(List<string> words, Context context)
    {
        if (words is [var help] && HelpWords.Contains(help))
        {
            return await context.HelpAsync(Usage).ConfigureAwait(false);
        }

        var (arguments, exit) = await ParseAsync(context, words, 0, [CountOption], []).ConfigureAwait(false);
        if (arguments is null)
        {
            return exit;
        }

        var count = DefaultShownAuditEntries;
        if (arguments.Values(CountOption) is [.., var text]
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > SqlAccountDirectory.AuditLogSize))
        {
            return await context.UsageAsync(
                string.Create(CultureInfo.InvariantCulture, $"--count takes a number from 1 to {SqlAccountDirectory.AuditLogSize}"),
                Usage).ConfigureAwait(false);
        }

        var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
        var entries = await directory.GetAuditAsync(count, context.CancellationToken).ConfigureAwait(false);
        if (entries.Count == 0)
        {
            await context.Out.WriteLineAsync("The audit log is empty.").ConfigureAwait(false);
            return ExitSuccess;
        }

        // Every field may come from an HTTP client or an operator's typing: made printable before it reaches the terminal.
        string[] header = ["TIME (UTC)", "ACTOR", "REMOTE", "ACTION", "TARGET", "DETAIL"];
        var rows = entries.Select(entry => new[]
        {
            AdminText.Time(entry.Time),
            AdminText.Printable(entry.Actor),
            AdminText.Printable(entry.RemoteAddress),
            AdminText.Printable(entry.Action),
            AdminText.Printable(entry.Target),
            AdminText.Printable(entry.Detail),
        });
        await WriteTableAsync(context.Out, header, rows).ConfigureAwait(false);
        return ExitSuccess;
    }

    /// <summary>Columns padded to their widest cell, the last one not (it may be long).</summary>
    private static async Task WriteTableAsync(TextWriter output, string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Length - 1).Select(column => all.Max(row => row[column].Length)).ToArray();
        foreach (var row in all)
        {
            var line = new StringBuilder();
            for (var column = 0; column < widths.Length; column++)
            {
                line.Append(row[column].PadRight(widths[column])).Append("  ");
            }

            await output.WriteLineAsync(line.Append(row[^1]).ToString().TrimEnd()).ConfigureAwait(false);
        }
    }

    private static string ScopeText(ApiKeyScope scope) => scope == ApiKeyScope.Full ? "full" : "read-only";

    /// <summary>The account an audit entry names: the canonical name, or the input as typed when it has none.</summary>
    private static string AccountTarget(string input) => MailAddressCanonicalizer.CanonicalizeAccountName(input) ?? input;

    /// <summary>The address an audit entry names: the canonical address, or the input as typed when it has none.</summary>
    private static string AddressTarget(string input) => MailAddressCanonicalizer.CanonicalizeAddress(input) ?? input;
}
