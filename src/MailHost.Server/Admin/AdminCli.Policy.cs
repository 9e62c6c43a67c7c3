using System.Net;
using MailHost.Accounts;
using MailHost.Hosting;
using MailHost.Logins;

namespace MailHost.Server.Admin;

/// <content>
/// The <c>users policy</c> command: the client policy an account's mail logins get (<c>MailHost:Auth:ClientPolicies</c>),
/// and the rules that made it, read from the same configuration the server uses, so an operator can check a rule before
/// a client hits it. It changes nothing.
/// </content>
public static partial class AdminCli
{
    private const string AppPasswordOption = "app-password";

    private static async Task<int> UsersPolicyAsync(AdminArguments arguments, Context context)
    {
        IPAddress? address = null;
        if (arguments.Values(NetworkOption) is [.., var addressText] && !IPAddress.TryParse(addressText, out address))
        {
            return await context.UsageAsync($"--network {AdminText.Printable(addressText)} is not an IP address such as 192.0.2.7", Usage).ConfigureAwait(false);
        }

        ClientPolicySet policies;
        try
        {
            var options = new ClientPolicyOptions();
            context.Configuration.GetSection(ClientPolicySet.SectionName).Bind(options);
            policies = new ClientPolicySet(options);
        }
        catch (Exception ex) when (ex is MailHostConfigurationException or InvalidOperationException)
        {
            return await context.FailAsync($"configuration: {ex.Message}").ConfigureAwait(false);
        }

        var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
        var account = arguments.Positionals[0];
        var details = await directory.GetAccountAsync(account, 0, context.CancellationToken).ConfigureAwait(false);
        var appPasswords = await directory.ListAppPasswordsAsync(account, context.CancellationToken).ConfigureAwait(false);
        if (details is null || appPasswords is null)
        {
            return await context.FailAsync($"There is no account '{AdminText.Printable(AccountTarget(account))}'.").ConfigureAwait(false);
        }

        AppPasswordInfo? appPassword = null;
        if (arguments.Values(AppPasswordOption) is [.., var wanted])
        {
            appPassword = appPasswords.FirstOrDefault(p => string.Equals(p.Id, wanted, StringComparison.OrdinalIgnoreCase))
                ?? appPasswords.FirstOrDefault(p => string.Equals(p.Name, wanted, StringComparison.OrdinalIgnoreCase));
            if (appPassword is null)
            {
                return await context.FailAsync(
                    $"Account '{details.Account.Name}' has no app password named or numbered '{AdminText.Printable(wanted)}' (users app-passwords list {details.Account.Name}).").ConfigureAwait(false);
            }
        }

        var name = details.Account.Name;
        var policy = policies.Resolve(name, appPassword, address);
        var output = context.Out;
        var with = appPassword is null ? "its own password or a token" : $"app password {appPassword.Id} ({AdminText.Printable(appPassword.Name)})";
        await output.WriteLineAsync($"Mail logins of account '{name}' from {address?.ToString() ?? "any address"} with {with}:").ConfigureAwait(false);
        await output.WriteLineAsync($"Rules: {(policy.Rules.Count == 0 ? "none (everything the server offers)" : policy.RulesText)}").ConfigureAwait(false);
        await output.WriteLineAsync($"Allowed networks: {(policy.AllowedNetworks.Count == 0 ? "any" : string.Join(", ", policy.AllowedNetworks))}").ConfigureAwait(false);
        await output.WriteLineAsync($"Mechanisms: {(policy.Mechanisms.Count == 0 ? "any the server offers" : string.Join(", ", policy.Mechanisms))}").ConfigureAwait(false);
        await output.WriteLineAsync($"Hidden IMAP capabilities: {(policy.HiddenImapCapabilities.Count == 0 ? "none" : string.Join(", ", policy.HiddenImapCapabilities))}").ConfigureAwait(false);
        await output.WriteLineAsync($"POP3 NUL replacement: {policy.Pop3ReplaceNulBytes switch { true => "on", false => "off", null => "as MailHost:Pop3:ReplaceNulBytes" }}").ConfigureAwait(false);
        if (address is null)
        {
            await output.WriteLineAsync("No --network given: rules keyed on Networks are left out and the allowed networks are not checked.").ConfigureAwait(false);
        }
        else
        {
            await output.WriteLineAsync(policy.AllowsAddress(address)
                ? $"A login from {address} is allowed by the policy."
                : $"A login from {address} is refused: outside the allowed networks.").ConfigureAwait(false);
        }

        return ExitSuccess;
    }
}
