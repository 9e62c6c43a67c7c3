using System.Globalization;
using System.Text;
using MailHost.Filtering;
using MailHost.Hosting;
using MailHost.Server.Administration.Operations;
using MailHost.Smtp;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace MailHost.Server.Admin;

/// <content>
/// The <c>quarantine</c> commands: the messages the inbound filters held in <c>MailHost:Filtering:QuarantineAccount</c>,
/// listed, released or deleted through the operations the console and the API use, so they are safe while the
/// server runs (the mail store is opened as a guest).
/// </content>
public static partial class AdminCli
{
    private const string LimitOption = "limit";

    private static async Task<int> RunQuarantineAsync(List<string> words, Context context)
    {
        if (words is [])
        {
            return await context.UsageAsync("missing quarantine command (list, release, delete)", Usage).ConfigureAwait(false);
        }

        var positionals = words[0] switch
        {
            "list" => 0,
            "release" or "delete" => 1,
            _ => -1,
        };
        if (positionals < 0)
        {
            return HelpWords.Contains(words[0])
                ? await context.HelpAsync(Usage).ConfigureAwait(false)
                : await context.UsageAsync($"unknown quarantine command {AdminText.Printable(words[0])}", Usage).ConfigureAwait(false);
        }

        string[] options = positionals == 0 ? [LimitOption] : [];
        var (arguments, exit) = await ParseAsync(context, words.Skip(1), positionals, options, []).ConfigureAwait(false);
        if (arguments is null)
        {
            return exit;
        }

        var limit = QuarantineOperations.DefaultLimit;
        if (arguments.Values(LimitOption) is [.., var limitText]
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > QuarantineOperations.MaxLimit))
        {
            return await context.UsageAsync($"quarantine list: --limit is a whole number from 1 to {QuarantineOperations.MaxLimit}", Usage).ConfigureAwait(false);
        }

        uint uid = 0;
        if (positionals == 1 && (!uint.TryParse(arguments.Positionals[0], NumberStyles.None, CultureInfo.InvariantCulture, out uid) || uid == 0))
        {
            return await context.UsageAsync($"quarantine {words[0]}: a UID is a whole number from 1 (see quarantine list), not {AdminText.Printable(arguments.Positionals[0])}", Usage).ConfigureAwait(false);
        }

        try
        {
            var operations = await OpenQuarantineAsync(context).ConfigureAwait(false);
            return words[0] switch
            {
                "list" => await QuarantineListAsync(operations, limit, context).ConfigureAwait(false),
                "release" => await QuarantineChangeAsync(await operations.ReleaseAsync(AdminActor.CommandLine(), uid, context.CancellationToken).ConfigureAwait(false), context).ConfigureAwait(false),
                _ => await QuarantineChangeAsync(await operations.DeleteAsync(AdminActor.CommandLine(), uid, context.CancellationToken).ConfigureAwait(false), context).ConfigureAwait(false),
            };
        }
        catch (Exception exception) when (exception is SqliteException or NpgsqlException or IOException or UnauthorizedAccessException)
        {
            return await context.FailAsync($"the mail store or the account directory ({context.Stores.Description}) failed: {exception.Message}").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The operations over the configured stores, with the settings the server reads: the quarantine's account and
    /// mailbox, and the host name and subaddress separator by which SMTP finds a recipient's account.
    /// </summary>
    private static async Task<QuarantineOperations> OpenQuarantineAsync(Context context)
    {
        // Read key by key rather than bound whole, so a bad value elsewhere in these sections does not stop these commands.
        var configuration = context.Configuration;
        var section = configuration.GetSection(InboundFilteringOptions.SectionName);
        var filtering = new InboundFilteringOptions { QuarantineAccount = section[nameof(InboundFilteringOptions.QuarantineAccount)] };
        if (section[nameof(InboundFilteringOptions.QuarantineMailbox)] is { Length: > 0 } mailbox)
        {
            filtering.QuarantineMailbox = mailbox;
        }

        var hostname = configuration[HostnameKey] is { Length: > 0 } configured ? configured : new MailHostOptions().Hostname;
        var separator = configuration.GetSection(SmtpOptions.SectionName)[nameof(SmtpOptions.SubaddressSeparator)] ?? new SmtpOptions().SubaddressSeparator;
        var directory = await context.OpenDirectoryAsync().ConfigureAwait(false);
        return new QuarantineOperations(
            context.Stores.MailStore,
            new SmtpAddressPolicy(directory, hostname, separator),
            filtering,
            new AdminAudit(directory, TimeProvider.System, NullLogger<AdminAudit>.Instance));
    }

    private static async Task<int> QuarantineListAsync(QuarantineOperations operations, int limit, Context context)
    {
        var listing = await operations.ListAsync(limit, context.CancellationToken).ConfigureAwait(false);
        if (listing.Status != QuarantineStatus.Done)
        {
            return await context.FailAsync(listing.Message).ConfigureAwait(false);
        }

        if (listing.Messages.Count == 0)
        {
            await context.Out.WriteLineAsync(listing.Message).ConfigureAwait(false);
            return ExitSuccess;
        }

        // Everything shown comes from the sender or the filters: made printable before it reaches the terminal.
        string[] header = ["UID", "RECEIVED (UTC)", "SIZE", "SENDER", "RECIPIENTS", "SUBJECT", "REASON"];
        var rows = listing.Messages.Select(m => new[]
        {
            m.Uid.ToString(CultureInfo.InvariantCulture),
            AdminText.Time(m.InternalDate),
            m.Size.ToString(CultureInfo.InvariantCulture),
            AdminText.Printable(m.Sender),
            m.Recipients.Count == 0 ? "-" : AdminText.Printable(string.Join(", ", m.Recipients)),
            AdminText.Printable(m.Subject),
            AdminText.Printable(m.Reason),
        }).ToList();

        var widths = Enumerable.Range(0, header.Length - 1).Select(i => Math.Max(header[i].Length, rows.Max(r => r[i].Length))).ToArray();
        foreach (var row in rows.Prepend(header))
        {
            var line = new StringBuilder();
            for (var i = 0; i < widths.Length; i++)
            {
                line.Append(row[i].PadRight(widths[i])).Append("  ");
            }

            await context.Out.WriteLineAsync(line.Append(row[^1]).ToString().TrimEnd()).ConfigureAwait(false);
        }

        return ExitSuccess;
    }

    /// <summary>The change's message on standard output (or as the error), and each recipient left out as a warning.</summary>
    private static async Task<int> QuarantineChangeAsync(QuarantineChange change, Context context)
    {
        if (change.Succeeded)
        {
            await context.Out.WriteLineAsync(AdminText.Printable(change.Message)).ConfigureAwait(false);
        }

        foreach (var recipient in change.NotDelivered)
        {
            await context.WarnAsync($"not delivered to {AdminText.Printable(recipient.Address)}: {AdminText.Printable(recipient.Reason)}").ConfigureAwait(false);
        }

        return change.Succeeded ? ExitSuccess : await context.FailAsync(AdminText.Printable(change.Message)).ConfigureAwait(false);
    }
}
