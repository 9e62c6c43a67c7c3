using MailHost.Filtering;
using MailHost.MailAuthentication;
using MailHost.Protocols.Smtp;
using MailHost.Storage;

namespace MailHost.Smtp;

/// <summary>
/// The inbound filter pipeline's stages in the session: connect, HELO, MAIL, RCPT and the finished message, each
/// answering <see langword="null"/> to go on or the reply that refuses.
/// </summary>
internal sealed partial class SmtpSession
{
    // RFC 5321 §3.1: after a 554 greeting the server waits for QUIT and answers anything else with 503.
    private static readonly SmtpReply RefusedSession = new(503, "5.5.1", "Bad sequence of commands: this connection was refused");
    private static readonly SmtpReply QuarantineRefused = new(550, "5.7.1", "Message refused by local policy");

    private InboundFilterRun? _filterRun;

    /// <summary>Set when a filter refused the connection: only QUIT is answered normally.</summary>
    private bool _refusedAtConnect;

    private InboundFilterRun? NewFilterRun()
        => _services.Filters is { } pipeline && pipeline.AppliesTo(Info.Endpoint.Protocol)
            ? new InboundFilterRun(new InboundFilterSession
            {
                ClientAddress = Info.RemoteEndPoint?.Address is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : Info.RemoteEndPoint?.Address,
                ClientPort = Info.RemoteEndPoint?.Port ?? 0,
                Protocol = Info.Endpoint.Protocol,
                ServerName = _services.Hostname,
                ConnectionId = Info.ConnectionId,
                IsTls = Info.IsTls,
                TlsDescription = Info.TlsDescription,
            })
            : null;

    /// <summary>The greeting's alternative when a filter refuses the connection (554, or 421 and close).</summary>
    private async ValueTask<SmtpReply?> FilterConnectAsync()
    {
        _filterRun = NewFilterRun();
        if (_filterRun is null)
        {
            return null;
        }

        var decision = await _services.Filters!.ConnectAsync(_filterRun).ConfigureAwait(false);
        return decision.Reply;
    }

    private async ValueTask<SmtpReply?> FilterHeloAsync(string identity)
    {
        if (_filterRun is null)
        {
            return null;
        }

        _filterRun.Session.HeloName = identity;
        _filterRun.StartHello();
        SyncFilterSession();
        return (await _services.Filters!.HeloAsync(_filterRun).ConfigureAwait(false)).Reply;
    }

    /// <summary>Starts the filters' view of <paramref name="transaction"/> and asks them about its sender.</summary>
    private async ValueTask<SmtpReply?> FilterMailAsync(SmtpTransaction transaction)
    {
        if (_filterRun is null)
        {
            return null;
        }

        SyncFilterSession();
        var envelope = new InboundFilterEnvelope
        {
            TransactionId = transaction.Id,
            Sender = transaction.Mail.ReversePath.Mailbox?.ToString() ?? "",
        };
        _filterRun.StartTransaction(envelope);
        var decision = await _services.Filters!.MailFromAsync(_filterRun, envelope).ConfigureAwait(false);
        if (decision.IsRefused)
        {
            _filterRun.EndTransaction();
        }

        return decision.Reply;
    }

    /// <summary>Asks the filters about one recipient the server's own checks accepted; the envelope gets it when they do too.</summary>
    private async ValueTask<SmtpReply?> FilterRecipientAsync(string recipient)
    {
        if (_filterRun?.Envelope is not { } envelope)
        {
            return null;
        }

        var decision = await _services.Filters!.RecipientAsync(_filterRun, envelope, recipient).ConfigureAwait(false);
        if (!decision.IsRefused)
        {
            envelope.AddRecipient(recipient);
        }

        return decision.Reply;
    }

    /// <summary>Asks the filters about the finished message; it reads as it arrived here (this server's Received first).</summary>
    private async ValueTask<SmtpReply?> FilterMessageAsync(SmtpTransaction transaction, string? authenticationResults)
    {
        if (_filterRun?.Envelope is not { } envelope)
        {
            return null;
        }

        envelope.AuthenticationResults = authenticationResults;
        var spool = transaction.Spool!;
        var start = transaction.ReturnPathLength;
        var message = new InboundFilterMessage(spool.Length - start, ct => spool.OpenIndependentReadAsync(start, ct));
        return (await _services.Filters!.MessageAsync(_filterRun, envelope, message).ConfigureAwait(false)).Reply;
    }

    /// <summary>STARTTLS and AUTH change what filters know of the session.</summary>
    private void SyncFilterSession()
    {
        if (_filterRun is not null)
        {
            _filterRun.Session.IsTls = Info.IsTls;
            _filterRun.Session.TlsDescription = Info.TlsDescription;
            _filterRun.Session.AuthenticatedAccount = _account;
        }
    }

    /// <summary>What the filters decided for the message beyond accepting it (Accept when there are none).</summary>
    private InboundFilterAction FilterDisposition => _filterRun?.Disposition ?? InboundFilterAction.Accept;

    /// <summary>The header changes the filters asked for this message, and the quarantine's own fields.</summary>
    private List<InboundHeaderChange> FilterHeaderChanges(SmtpTransaction transaction, bool quarantined)
    {
        var changes = _filterRun is null ? [] : _filterRun.HeaderChanges.ToList();
        if (quarantined && _filterRun?.Envelope is { } envelope)
        {
            // What an operator needs to judge and release the message: why it was held, for whom, from whom.
            changes.Add(InboundHeaderChange.Add("X-MailHost-Quarantine", InboundFilterPipeline.Sanitize(string.Join("; ", _filterRun.Summaries), 900)));
            changes.Add(InboundHeaderChange.Add("X-MailHost-Original-Recipients", string.Join(", ", envelope.Recipients)));
            changes.Add(InboundHeaderChange.Add("X-MailHost-Original-Sender", envelope.Sender.Length == 0 ? "<>" : envelope.Sender));
            changes.Add(InboundHeaderChange.Add("X-MailHost-Transaction", transaction.Id));
        }

        return changes;
    }

    /// <summary>
    /// The local targets for the filters' disposition: Junk to each recipient's Junk mailbox, quarantine to the
    /// quarantine account (created on first use) or, without one, to Junk.
    /// </summary>
    private async ValueTask<IReadOnlyList<DeliveryTarget>> FilteredTargetsAsync(IReadOnlyList<DeliveryTarget> targets, InboundFilterAction disposition)
    {
        if (disposition == InboundFilterAction.Quarantine && _services.Filtering.QuarantineAccount is { Length: > 0 } quarantine)
        {
            await EnsureQuarantineMailboxAsync(quarantine).ConfigureAwait(false);
            return [new DeliveryTarget(quarantine, _services.Filtering.QuarantineMailbox)];
        }

        return disposition is InboundFilterAction.Junk or InboundFilterAction.Quarantine
            ? await JunkMailbox.RedirectAsync(_services.Store, targets, CancellationToken.None).ConfigureAwait(false)
            : targets;
    }

    private async ValueTask EnsureQuarantineMailboxAsync(string accountName)
    {
        var opened = await _services.Store.OpenAccountAsync(accountName, CancellationToken.None).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            return; // delivery then fails with the store's error and the client gets a temporary failure
        }

        await using var account = opened.Value.ConfigureAwait(false);
        var exists = await opened.Value.CheckMailboxAsync(_services.Filtering.QuarantineMailbox, CancellationToken.None).ConfigureAwait(false);
        if (!exists.IsSuccess)
        {
            await opened.Value.CreateMailboxAsync(_services.Filtering.QuarantineMailbox, MailboxAttributes.None, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>A scope with the filters' summaries around the message's log line, so each result is found with it.</summary>
    private IDisposable? FilterLogScope()
        => _filterRun is not null && _filterRun.Summaries.Any()
            ? _logger.BeginScope(new Dictionary<string, object> { ["FilterResults"] = string.Join("; ", _filterRun.Summaries) })
            : null;
}
