using System.Globalization;
using System.Text;
using MailHost.Accounts;
using MailHost.Delivery;
using MailHost.Delivery.Queue;
using MailHost.Protocols.Smtp;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace MailHost.Server.Admin;

/// <content>
/// The <c>queue</c> commands: the outbound queue in <c>&lt;MailHost:DataDirectory&gt;/queue.db</c>, read and changed
/// through the queue store, so they are safe while the server runs (SQLite WAL; leases keep a message in delivery
/// apart from these changes).
/// </content>
public static partial class AdminCli
{
    private const string RetryAllWord = "all";

    private static async Task<int> RunQueueAsync(List<string> words, Context context)
    {
        if (words is [])
        {
            return await context.UsageAsync("missing queue command (list, show, retry, remove)", Usage).ConfigureAwait(false);
        }

        var rest = words.Skip(1);
        int positionals;
        switch (words[0])
        {
            case "list":
                positionals = 0;
                break;
            case "show" or "retry" or "remove":
                positionals = 1;
                break;
            case var verb when HelpWords.Contains(verb):
                return await context.HelpAsync(Usage).ConfigureAwait(false);
            default:
                return await context.UsageAsync($"unknown queue command {AdminText.Printable(words[0])}", Usage).ConfigureAwait(false);
        }

        var (arguments, exit) = await ParseAsync(context, rest, positionals, [], []).ConfigureAwait(false);
        if (arguments is null)
        {
            return exit;
        }

        try
        {
            var queue = await context.Stores.OpenQueueAsync().ConfigureAwait(false);
            return words[0] switch
            {
                "list" => await QueueListAsync(queue, context).ConfigureAwait(false),
                "show" => await QueueShowAsync(queue, arguments.Positionals[0], context).ConfigureAwait(false),
                "retry" => await QueueRetryAsync(queue, arguments.Positionals[0], context).ConfigureAwait(false),
                _ => await QueueRemoveAsync(queue, arguments.Positionals[0], context).ConfigureAwait(false),
            };
        }
        catch (Exception exception) when (exception is SqliteException or NpgsqlException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return await context.FailAsync($"the outbound queue in {context.Stores.Description} failed: {exception.Message}").ConfigureAwait(false);
        }
    }

    private static async Task<int> QueueListAsync(IOutboundQueueStore? queue, Context context)
    {
        var messages = queue is null ? [] : await queue.ListAsync(context.CancellationToken).ConfigureAwait(false);
        if (messages.Count == 0)
        {
            await context.Out.WriteLineAsync("The outbound queue is empty.").ConfigureAwait(false);
            return ExitSuccess;
        }

        var now = DateTimeOffset.UtcNow;
        string[] header = ["ID", "AGE", "SENDER", "RECIPIENTS", "NEXT ATTEMPT", "SIZE", "LAST ERROR"];
        var rows = messages.Select(m => new[]
        {
            m.Id,
            Age(now - m.Created),
            ReversePath(m.ReversePath),
            RecipientSummary(m.Recipients),
            m.LeaseUntil > now ? "in delivery" : AdminText.Time(m.NextAttempt),
            m.Size.ToString(CultureInfo.InvariantCulture),
            LastError(m.Recipients),
        }).ToList();

        // Every column but the last is padded; stored text (addresses, replies) is made printable first.
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

    private static async Task<int> QueueShowAsync(IOutboundQueueStore? queue, string id, Context context)
    {
        var message = queue is null ? null : await queue.GetAsync(id, context.CancellationToken).ConfigureAwait(false);
        if (message is null)
        {
            return await context.FailAsync(UnknownQueueId(id)).ConfigureAwait(false);
        }

        var now = DateTimeOffset.UtcNow;
        var text = new StringBuilder();
        void Line(string label, string value) => text.Append(label.PadRight(14)).Append(value).Append('\n');
        Line("Message:", message.Id);
        Line("Sender:", ReversePath(message.ReversePath));
        Line("Account:", AdminText.Printable(message.Account) + (message.Origin == OutboundOrigin.Server ? " (notification written by the server)" : string.Empty));
        Line("Queued:", $"{AdminText.Time(message.Created)} ({Age(now - message.Created)} ago)");
        Line("Expires:", AdminText.Time(message.Expires));
        Line("Next attempt:", AdminText.Time(message.NextAttempt));
        Line("Size:", message.Size.ToString(CultureInfo.InvariantCulture) + " octets");
        Line("Parameters:", MailParameters(message));
        Line("Lease:", message.LeaseUntil is { } until && until > now
            ? $"{AdminText.Printable(message.LeaseOwner)} until {AdminText.Time(until)}"
            : "none");
        text.Append("Recipients:\n");
        foreach (var recipient in message.Recipients)
        {
            var pending = recipient.State == QueueRecipientState.Pending;
            text.Append("  ").Append(AdminText.Printable(recipient.Address)).Append('\n');
            void Detail(string label, string value) => text.Append("    ").Append(label.PadRight(14)).Append(value).Append('\n');
            Detail("State:", StateName(recipient.State) + (!pending && !recipient.Reported ? " (notification not yet sent)" : string.Empty));
            Detail("Attempts:", recipient.Attempts.ToString(CultureInfo.InvariantCulture));
            Detail("Last attempt:", recipient.LastAttempt is { } last ? AdminText.Time(last) : "-");
            Detail("Last reply:", AdminText.Printable(recipient.LastReply));
            Detail("Remote MTA:", AdminText.Printable(recipient.RemoteMta));
            Detail("Next attempt:", pending ? AdminText.Time(recipient.NextAttempt) : "-");
            Detail("Expires:", pending ? AdminText.Time(message.Expires) : "-");
            Detail("DSN:", RecipientParameters(recipient));
        }

        await context.Out.WriteAsync(text.ToString()).ConfigureAwait(false);
        return ExitSuccess;
    }

    private static async Task<int> QueueRetryAsync(IOutboundQueueStore? queue, string target, Context context)
    {
        var all = target == RetryAllWord;
        var count = queue is null ? 0 : await queue.RetryAsync(all ? null : target, context.CancellationToken).ConfigureAwait(false);
        if (!all && count == 0)
        {
            return await context.FailAsync(UnknownQueueId(target)).ConfigureAwait(false);
        }

        await context.Out.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"{count} message(s) due now; a running server sends them at its next queue poll (MailHost:Outbound:PollInterval).")).ConfigureAwait(false);
        return count == 0
            ? ExitSuccess
            : await context.AuditAsync(null, AuditActions.QueueRetry, target, string.Create(CultureInfo.InvariantCulture, $"{count} message(s)")).ConfigureAwait(false);
    }

    private static async Task<int> QueueRemoveAsync(IOutboundQueueStore? queue, string id, Context context)
    {
        if (queue is null || !await queue.RemoveAsync(id, context.CancellationToken).ConfigureAwait(false))
        {
            return await context.FailAsync(UnknownQueueId(id)).ConfigureAwait(false);
        }

        await context.Out.WriteLineAsync($"Message {AdminText.Printable(id)} removed from the queue; its sender is not notified.").ConfigureAwait(false);
        return await context.AuditAsync(null, AuditActions.QueueRemove, id, null).ConfigureAwait(false);
    }

    private static string UnknownQueueId(string id) => $"There is no queued message '{AdminText.Printable(id)}'.";

    /// <summary>The largest two units: <c>45s</c>, <c>12m30s</c>, <c>5h02m</c>, <c>3d04h</c>.</summary>
    private static string Age(TimeSpan age)
    {
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age.TotalMinutes < 1 ? string.Create(CultureInfo.InvariantCulture, $"{age.Seconds}s")
            : age.TotalHours < 1 ? string.Create(CultureInfo.InvariantCulture, $"{age.Minutes}m{age.Seconds:00}s")
            : age.TotalDays < 1 ? string.Create(CultureInfo.InvariantCulture, $"{age.Hours}h{age.Minutes:00}m")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalDays}d{age.Hours:00}h");
    }

    // RFC 5321 §4.5.5: the null reverse-path, used by notifications, is written <>.
    private static string ReversePath(string? reversePath) => reversePath is null ? "<>" : AdminText.Printable(reversePath);

    private static string RecipientSummary(IReadOnlyList<QueuedRecipient> recipients)
    {
        var states = recipients
            .GroupBy(r => r.State)
            .OrderBy(g => g.Key)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} {StateName(g.Key)}"));
        return string.Create(CultureInfo.InvariantCulture, $"{recipients.Count} ({string.Join(", ", states)})");
    }

    /// <summary>The latest reply among recipients not delivered, or <c>-</c>.</summary>
    private static string LastError(IReadOnlyList<QueuedRecipient> recipients)
        => AdminText.Printable(recipients
            .Where(r => r.State != QueueRecipientState.Delivered && r.LastReply is not null)
            .OrderByDescending(r => r.LastAttempt)
            .FirstOrDefault()?.LastReply);

    private static string StateName(QueueRecipientState state) => state switch
    {
        QueueRecipientState.Pending => "pending",
        QueueRecipientState.Delivered => "delivered",
        QueueRecipientState.Failed => "failed",
        QueueRecipientState.Expired => "expired",
        _ => state.ToString(),
    };

    private static string MailParameters(QueuedMessage message)
    {
        var parts = new List<string>();
        if (message.Body != SmtpBodyType.Unspecified)
        {
            parts.Add("BODY=" + message.Body switch
            {
                SmtpBodyType.SevenBit => "7BIT",
                SmtpBodyType.EightBitMime => "8BITMIME",
                _ => "BINARYMIME",
            });
        }

        if (message.SmtpUtf8)
        {
            parts.Add("SMTPUTF8");
        }

        if (message.Return != SmtpDsnReturn.Unspecified)
        {
            parts.Add(message.Return == SmtpDsnReturn.Full ? "RET=FULL" : "RET=HDRS");
        }

        if (message.EnvelopeId is { } envelopeId)
        {
            parts.Add("ENVID=" + AdminText.Printable(envelopeId));
        }

        return parts.Count == 0 ? "-" : string.Join(' ', parts);
    }

    private static string RecipientParameters(QueuedRecipient recipient)
    {
        var parts = new List<string>();
        if (recipient.Notify != SmtpDsnNotify.Unspecified)
        {
            var notify = recipient.Notify.HasFlag(SmtpDsnNotify.Never)
                ? "NEVER"
                : string.Join(',', new[] { (SmtpDsnNotify.Success, "SUCCESS"), (SmtpDsnNotify.Failure, "FAILURE"), (SmtpDsnNotify.Delay, "DELAY") }
                    .Where(p => recipient.Notify.HasFlag(p.Item1))
                    .Select(p => p.Item2));
            parts.Add("NOTIFY=" + notify);
        }

        if (recipient.OriginalRecipient is { } original)
        {
            parts.Add("ORCPT=" + AdminText.Printable(original.AddressType) + ";" + AdminText.Printable(original.Address));
        }

        return parts.Count == 0 ? "-" : string.Join(' ', parts);
    }
}
