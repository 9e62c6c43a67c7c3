using System.Globalization;
using MailHost.Server.Administration.Operations;
using MailHost.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace MailHost.Server.Admin;

/// <content>The <c>users quota</c> command: an account's quota limits and usage, through the operations the console and the API use.</content>
public static partial class AdminCli
{
    private const string StorageOption = "storage";
    private const string MessagesOption = "messages";
    private const string DefaultQuotaFlag = "default";
    private const string UnlimitedWord = "unlimited";

    private static async Task<int> UsersQuotaAsync(AdminArguments arguments, Context context)
    {
        var account = arguments.Positionals[0];
        var storage = arguments.Values(StorageOption);
        var messages = arguments.Values(MessagesOption);
        var reset = arguments.HasFlag(DefaultQuotaFlag);
        if (reset && storage.Count + messages.Count > 0)
        {
            return await context.UsageAsync("users quota: --default cannot be combined with --storage or --messages", Usage).ConfigureAwait(false);
        }

        var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
        var operations = new QuotaOperations(directory, context.Stores.MailStore, new AdminAudit(directory, TimeProvider.System, NullLogger<AdminAudit>.Instance));
        if (reset || storage.Count + messages.Count > 0)
        {
            if (!TryLimit(storage, out var storageLimit) || !TryLimit(messages, out var messageLimit))
            {
                return await context.UsageAsync($"users quota: a limit is a whole number of octets or messages, or '{UnlimitedWord}'", Usage).ConfigureAwait(false);
            }

            // An option not given keeps that limit as the account has it now.
            var current = await operations.GetAsync(account, context.CancellationToken).ConfigureAwait(false);
            var limits = reset ? null : new QuotaLimits(
                storage.Count > 0 ? storageLimit : current?.StorageLimit,
                messages.Count > 0 ? messageLimit : current?.MessageLimit);
            var change = await operations.SetAsync(AdminActor.CommandLine(), account, limits, context.CancellationToken).ConfigureAwait(false);
            if (!change.Succeeded)
            {
                return await context.FailAsync(change.Message).ConfigureAwait(false);
            }

            await context.Out.WriteLineAsync(change.Message).ConfigureAwait(false);
        }

        if (await operations.GetAsync(account, context.CancellationToken).ConfigureAwait(false) is not { } usage)
        {
            return await context.FailAsync($"There is no account '{AdminText.Printable(account)}' with a quota.").ConfigureAwait(false);
        }

        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Storage:  {usage.StorageUsed} of {Limit(usage.StorageLimit)} octets")).ConfigureAwait(false);
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Messages: {usage.MessagesUsed} of {Limit(usage.MessageLimit)}")).ConfigureAwait(false);
        return ExitSuccess;
    }

    private static bool TryLimit(IReadOnlyList<string> values, out long? limit)
    {
        limit = null;
        if (values.Count == 0 || values[^1] == UnlimitedWord)
        {
            return true;
        }

        if (long.TryParse(values[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            limit = value;
            return true;
        }

        return false;
    }

    private static string Limit(long? limit) => limit?.ToString(CultureInfo.InvariantCulture) ?? UnlimitedWord;
}
