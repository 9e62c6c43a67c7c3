using System.Globalization;
using System.Text;
using MailHost.Accounts;
using MailHost.Filtering;
using MailHost.Hosting;
using MailHost.Protocols.Smtp;
using MailHost.Smtp;
using MailHost.Storage;
using Microsoft.Extensions.Options;
using MimeKit;

namespace MailHost.Server.Administration.Operations;

/// <summary>
/// The quarantine (<see cref="InboundFilteringOptions.QuarantineMailbox"/> of
/// <see cref="InboundFilteringOptions.QuarantineAccount"/>) as the console, the API and the command line see it: list
/// the held messages, release one to the INBOX of each local account its original recipients name, or delete it;
/// releases and deletes are audited.
/// </summary>
/// <remarks>
/// Opening the quarantine account creates it in the mail store when it was never used, as the first quarantined
/// message would. A release delivers only to local accounts, found by the rules SMTP applies at RCPT
/// (<see cref="SmtpAddressPolicy"/>: addresses, aliases, subaddresses, enabled accounts); other recipients are
/// reported, not sent to.
/// </remarks>
internal sealed class QuarantineOperations(IMailStore store, SmtpAddressPolicy addresses, InboundFilteringOptions filtering, AdminAudit audit)
{
    /// <summary>Messages listed when no limit is given.</summary>
    public const int DefaultLimit = 100;

    /// <summary>The most messages one listing reads.</summary>
    public const int MaxLimit = 1000;

    private const string NotConfiguredText = "The quarantine is not configured: MailHost:Filtering:QuarantineAccount names no account.";

    /// <summary>Whether there is a quarantine account.</summary>
    public bool Configured => filtering.QuarantineAccount is { Length: > 0 };

    /// <summary>The operations over the host's store, directory and the <c>MailHost:Filtering</c>, <c>MailHost:Smtp</c> options.</summary>
    public static QuarantineOperations Create(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var policy = new SmtpAddressPolicy(
            services.GetRequiredService<IAccountDirectory>(),
            services.GetRequiredService<IOptions<MailHostOptions>>().Value.Hostname,
            services.GetRequiredService<IOptions<SmtpOptions>>().Value.SubaddressSeparator);
        return new QuarantineOperations(
            services.GetRequiredService<IMailStore>(), policy, services.GetRequiredService<IOptions<InboundFilteringOptions>>().Value, services.GetRequiredService<AdminAudit>());
    }

    /// <summary>
    /// The newest <paramref name="limit"/> messages (1 to <see cref="MaxLimit"/>), highest UID first: the order they
    /// were quarantined in. Only each message's header is read.
    /// </summary>
    public async Task<QuarantineListing> ListAsync(int limit, CancellationToken cancellationToken)
    {
        if (!Configured)
        {
            return new QuarantineListing(QuarantineStatus.NotConfigured, [], NotConfiguredText);
        }

        limit = Math.Clamp(limit, 1, MaxLimit);
        return await WithQuarantineAsync(
            examine: true,
            async view =>
            {
                var uids = view.Snapshot.Uids;
                var newest = UidSet.FromUids(uids.Skip(Math.Max(0, uids.Count - limit)));
                var entries = new List<QuarantineEntry>();
                if (!newest.IsEmpty)
                {
                    await foreach (var message in view.FetchAsync(newest, FetchOptions.Default with { ReadsContent = true }, cancellationToken).ConfigureAwait(false))
                    {
                        entries.Add(await ReadEntryAsync(message, cancellationToken).ConfigureAwait(false));
                    }
                }

                entries.Reverse();
                return new QuarantineListing(QuarantineStatus.Done, entries, entries.Count == 0 ? "The quarantine is empty." : string.Empty);
            },
            missing: () => new QuarantineListing(QuarantineStatus.Done, [], "The quarantine is empty."),
            failed: error => new QuarantineListing(QuarantineStatus.StoreFailed, [], StoreFailedText(error)),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Delivers the message to the INBOX of each local account among its original recipients (one copy per account),
    /// without the server's four <c>X-MailHost-</c> fields and otherwise byte for byte, then expunges it from the
    /// quarantine. When any copy is refused (over quota) the message stays, for a later release or delete, and the
    /// copies stored are reported: a second release may duplicate them, but nothing is lost.
    /// </summary>
    public async Task<QuarantineChange> ReleaseAsync(AdminActor actor, uint uid, CancellationToken cancellationToken)
    {
        if (!Configured)
        {
            return QuarantineChange.Refused(QuarantineStatus.NotConfigured, NotConfiguredText);
        }

        return await WithMessageAsync(
            uid,
            async (view, message) =>
            {
                var fields = await ReadFieldsAsync(message, cancellationToken).ConfigureAwait(false);
                if (fields is not { IsQuarantined: true })
                {
                    return QuarantineChange.Refused(
                        QuarantineStatus.NoLocalRecipient, $"Message {uid} has no {QuarantineFields.RecipientsField} field: it was not quarantined by this server, so there is no one to release it to.");
                }

                var (targets, notDelivered) = await TargetsAsync(fields.Recipients, cancellationToken).ConfigureAwait(false);
                if (targets.Count == 0)
                {
                    return QuarantineChange.Refused(QuarantineStatus.NoLocalRecipient, $"None of the recipients of message {uid} is a local account; it stays in the quarantine.", notDelivered);
                }

                if (await ClaimAsync(view, message).ConfigureAwait(false) is { } claimFailure)
                {
                    return claimFailure;
                }

                // From the claim on nothing is cancelled: a release half done would leave the message flagged \Deleted.
                return await DeliverAndExpungeAsync(actor, view, message, fields, targets, notDelivered).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Expunges the message from the quarantine without delivering it.</summary>
    public async Task<QuarantineChange> DeleteAsync(AdminActor actor, uint uid, CancellationToken cancellationToken)
    {
        if (!Configured)
        {
            return QuarantineChange.Refused(QuarantineStatus.NotConfigured, NotConfiguredText);
        }

        return await WithMessageAsync(
            uid,
            async (view, message) =>
            {
                var fields = await ReadFieldsAsync(message, cancellationToken).ConfigureAwait(false);
                var flagged = await view.StoreFlagsAsync(UidSet.Of(uid), FlagOperation.Add, MessageFlags.Deleted, [], null, CancellationToken.None).ConfigureAwait(false);
                if (!flagged.IsSuccess)
                {
                    return QuarantineChange.Refused(QuarantineStatus.StoreFailed, StoreFailedText(flagged.Error));
                }

                var expunged = await view.ExpungeAsync(UidSet.Of(uid), CancellationToken.None).ConfigureAwait(false);
                if (!expunged.IsSuccess)
                {
                    return QuarantineChange.Refused(QuarantineStatus.StoreFailed, StoreFailedText(expunged.Error));
                }

                if (!expunged.Value.Expunged.Contains(uid))
                {
                    return QuarantineChange.Refused(QuarantineStatus.UnknownMessage, UnknownText(uid));
                }

                await audit.RecordAsync(actor, AuditActions.QuarantineDelete, Target(uid), Describe(fields), CancellationToken.None).ConfigureAwait(false);
                return new QuarantineChange(QuarantineStatus.Done, $"Message {uid} deleted from the quarantine.", [], []);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Marks the message <c>\Deleted</c> only if nobody changed it since it was read (RFC 7162 UNCHANGEDSINCE), so of
    /// two operators releasing it at once exactly one delivers it; null when the claim is this caller's.
    /// </summary>
    private static async Task<QuarantineChange?> ClaimAsync(IMailboxView view, MessageData message)
    {
        if (message.Flags.HasFlag(MessageFlags.Deleted))
        {
            return QuarantineChange.Refused(
                QuarantineStatus.Conflict, $"Message {message.Uid} is flagged \\Deleted: it is being released or deleted. Delete it, or clear the flag to release it.");
        }

        var claimed = await view.StoreFlagsAsync(UidSet.Of(message.Uid), FlagOperation.Add, MessageFlags.Deleted, [], message.ModSeq, CancellationToken.None).ConfigureAwait(false);
        if (!claimed.IsSuccess)
        {
            return QuarantineChange.Refused(QuarantineStatus.StoreFailed, StoreFailedText(claimed.Error));
        }

        return claimed.Value.Messages.Any(m => m.Uid == message.Uid && m.Changed)
            ? null
            : QuarantineChange.Refused(QuarantineStatus.Conflict, $"Message {message.Uid} changed while it was being released; try again.");
    }

    private async Task<QuarantineChange> DeliverAndExpungeAsync(
        AdminActor actor, IMailboxView view, MessageData message, QuarantineFields fields, List<DeliveryTarget> targets, List<QuarantineRecipient> notDelivered)
    {
        var uid = message.Uid;
        StoreResult<DeliveryResult> delivered;
        var content = await MessageRangeStream.OpenAsync(message.Content, fields.Removals, CancellationToken.None).ConfigureAwait(false);
        if (content is null)
        {
            await UnclaimAsync(view, uid).ConfigureAwait(false);
            return QuarantineChange.Refused(QuarantineStatus.UnknownMessage, UnknownText(uid));
        }

        await using (content.ConfigureAwait(false))
        {
            delivered = await store.DeliverAsync(content, targets, CancellationToken.None).ConfigureAwait(false);
        }

        if (!delivered.IsSuccess)
        {
            await UnclaimAsync(view, uid).ConfigureAwait(false);
            return QuarantineChange.Refused(QuarantineStatus.StoreFailed, StoreFailedText(delivered.Error) + " The message stays in the quarantine.", notDelivered);
        }

        var stored = delivered.Value.Targets.Where(t => t.Error is null).Select(t => t.Target.AccountName).ToList();
        var refused = delivered.Value.Targets.Where(t => t.Error is not null).Select(t => new QuarantineRecipient(t.Target.AccountName, t.Error!.Message)).ToList();
        if (refused.Count > 0)
        {
            // A copy refused (over quota) would be lost if the message left: it stays for another try.
            await UnclaimAsync(view, uid).ConfigureAwait(false);
            var text = stored.Count == 0
                ? $"No copy of message {uid} was stored; it stays in the quarantine."
                : $"Message {uid} was delivered to {string.Join(", ", stored)} only; it stays in the quarantine (a second release delivers to {string.Join(", ", stored)} again).";
            if (stored.Count > 0)
            {
                await audit.RecordAsync(actor, AuditActions.QuarantineRelease, Target(uid), Describe(fields) + "; partly, to " + string.Join(", ", stored), CancellationToken.None).ConfigureAwait(false);
            }

            return new QuarantineChange(QuarantineStatus.StoreFailed, text, stored, [.. notDelivered, .. refused]);
        }

        var expunged = await view.ExpungeAsync(UidSet.Of(uid), CancellationToken.None).ConfigureAwait(false);
        await audit.RecordAsync(actor, AuditActions.QuarantineRelease, Target(uid), Describe(fields) + "; to " + string.Join(", ", stored), CancellationToken.None).ConfigureAwait(false);
        if (!expunged.IsSuccess)
        {
            return new QuarantineChange(
                QuarantineStatus.StoreFailed,
                $"Message {uid} was delivered to {string.Join(", ", stored)}, but it could not be removed from the quarantine ({expunged.Error.Message}); it is flagged \\Deleted there: delete it.",
                stored,
                notDelivered);
        }

        return new QuarantineChange(QuarantineStatus.Done, $"Message {uid} released to {string.Join(", ", stored)}.", stored, notDelivered);
    }

    /// <summary>Gives the claim back after a release that did not finish, so the message can be released again.</summary>
    private static async Task UnclaimAsync(IMailboxView view, uint uid)
        => await view.StoreFlagsAsync(UidSet.Of(uid), FlagOperation.Remove, MessageFlags.Deleted, [], null, CancellationToken.None).ConfigureAwait(false);

    /// <summary>One INBOX per local account (however many of its addresses were named), and why the others get nothing.</summary>
    private async Task<(List<DeliveryTarget> Targets, List<QuarantineRecipient> NotDelivered)> TargetsAsync(IReadOnlyList<string> recipients, CancellationToken cancellationToken)
    {
        var targets = new List<DeliveryTarget>();
        var notDelivered = new List<QuarantineRecipient>();
        foreach (var recipient in recipients)
        {
            if (ParseRecipient(recipient) is not { } mailbox)
            {
                notDelivered.Add(new QuarantineRecipient(recipient, "not an address"));
                continue;
            }

            var (kind, account) = await addresses.ClassifyRecipientAsync(mailbox, cancellationToken).ConfigureAwait(false);
            switch (kind)
            {
                case SmtpRecipientKind.Local when !targets.Exists(t => t.AccountName == account!.Name):
                    targets.Add(new DeliveryTarget(account!.Name));
                    break;
                case SmtpRecipientKind.Local:
                    break;
                case SmtpRecipientKind.Unknown:
                    notDelivered.Add(new QuarantineRecipient(recipient, "no enabled local account has this address"));
                    break;
                default:
                    notDelivered.Add(new QuarantineRecipient(recipient, "not a local address: a release delivers to local accounts only"));
                    break;
            }
        }

        return (targets, notDelivered);
    }

    /// <summary>A recipient as SMTP wrote it (<c>SmtpMailbox.ToString</c>); <c>Postmaster</c> without a domain is RFC 5321 §4.1.1.3's.</summary>
    private static SmtpMailbox? ParseRecipient(string recipient)
    {
        if (recipient.Equals("postmaster", StringComparison.OrdinalIgnoreCase))
        {
            return new SmtpMailbox(recipient, string.Empty);
        }

        return SmtpGrammar.TryParseMailbox(Encoding.UTF8.GetBytes(recipient), allowUtf8: true, out var mailbox) ? mailbox : null;
    }

    /// <summary>The entry of one message, from its header only (at most <see cref="QuarantineFields.MaxHeaderScan"/> octets).</summary>
    private static async Task<QuarantineEntry> ReadEntryAsync(MessageData message, CancellationToken cancellationToken)
    {
        var header = new HeaderList();
        var content = await message.Content.OpenAsync(0, Math.Min(message.Size, QuarantineFields.MaxHeaderScan), cancellationToken).ConfigureAwait(false);
        if (content is not null)
        {
            await using (content.ConfigureAwait(false))
            {
                try
                {
                    header = await HeaderList.LoadAsync(ParserOptions.Default, content, cancellationToken).ConfigureAwait(false);
                }
                catch (FormatException)
                {
                    // A header MimeKit cannot read is still listed, by UID, so it can be deleted.
                }
            }
        }

        // The indexer gives the first field of a name: the server's, above anything the sender wrote (see QuarantineFields).
        return new QuarantineEntry(
            message.Uid,
            message.InternalDate,
            message.Size,
            header[QuarantineFields.SenderField]?.Trim(),
            header[QuarantineFields.RecipientsField] is { } recipients ? QuarantineFields.SplitRecipients(recipients) : [],
            header[HeaderId.Subject]?.Trim(),
            header[QuarantineFields.ReasonField]?.Trim(),
            header[QuarantineFields.TransactionField]?.Trim());
    }

    private static async Task<QuarantineFields?> ReadFieldsAsync(MessageData message, CancellationToken cancellationToken)
    {
        var content = await message.Content.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        await using (content.ConfigureAwait(false))
        {
            return await QuarantineFields.ReadAsync(content, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs <paramref name="action"/> on the message <paramref name="uid"/> of a read-write view of the quarantine.</summary>
    private Task<QuarantineChange> WithMessageAsync(uint uid, Func<IMailboxView, MessageData, Task<QuarantineChange>> action, CancellationToken cancellationToken)
        => WithQuarantineAsync(
            examine: false,
            async view =>
            {
                MessageData? found = null;
                if (uid != 0)
                {
                    await foreach (var message in view.FetchAsync(UidSet.Of(uid), FetchOptions.Default, cancellationToken).ConfigureAwait(false))
                    {
                        found = message;
                    }
                }

                return found is null ? QuarantineChange.Refused(QuarantineStatus.UnknownMessage, UnknownText(uid)) : await action(view, found).ConfigureAwait(false);
            },
            missing: () => QuarantineChange.Refused(QuarantineStatus.UnknownMessage, UnknownText(uid)),
            failed: error => QuarantineChange.Refused(QuarantineStatus.StoreFailed, StoreFailedText(error)),
            cancellationToken);

    /// <summary>
    /// Opens the quarantine mailbox and runs <paramref name="action"/> on it; <paramref name="missing"/> when it does
    /// not exist yet (nothing was ever quarantined), <paramref name="failed"/> when the store fails.
    /// </summary>
    private async Task<T> WithQuarantineAsync<T>(bool examine, Func<IMailboxView, Task<T>> action, Func<T> missing, Func<StoreError, T> failed, CancellationToken cancellationToken)
    {
        var opened = await store.OpenAccountAsync(filtering.QuarantineAccount!, cancellationToken).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            return opened.Error.Code == StoreErrorCode.NotFound ? missing() : failed(opened.Error);
        }

        await using var account = opened.Value.ConfigureAwait(false);
        var selected = await opened.Value.OpenMailboxAsync(filtering.QuarantineMailbox, examine, cancellationToken).ConfigureAwait(false);
        if (!selected.IsSuccess)
        {
            return selected.Error.Code is StoreErrorCode.NotFound or StoreErrorCode.InvalidName ? missing() : failed(selected.Error);
        }

        await using var view = selected.Value.ConfigureAwait(false);
        return await action(selected.Value).ConfigureAwait(false);
    }

    private static string Target(uint uid) => uid.ToString(CultureInfo.InvariantCulture);

    /// <summary>What the audit log keeps of a message, so an entry says which one it was after the UID is gone.</summary>
    private static string Describe(QuarantineFields? fields)
        => fields is null
            ? "content gone"
            : $"transaction {fields.Transaction ?? "-"} from {fields.Sender ?? "-"} for {(fields.Recipients.Count == 0 ? "-" : string.Join(", ", fields.Recipients))}";

    private static string UnknownText(uint uid) => $"There is no message {uid} in the quarantine.";

    private static string StoreFailedText(StoreError error) => $"The mail store failed: {error.Message}";
}
