using System.Buffers;
using System.Globalization;
using System.Text;
using MailHost.Connections;
using MailHost.Delivery;
using MailHost.Filtering;
using MailHost.MailAuthentication;
using MailHost.Protocols.Smtp;
using MailHost.Protocols.Text;
using MailHost.Sessions;
using MailHost.Storage;

namespace MailHost.Smtp;

/// <summary>DATA (RFC 5321 §4.1.1.4), BDAT (RFC 3030) and delivery of the finished message.</summary>
internal sealed partial class SmtpSession
{
    // RFC 5321 §4.2.5 (452 "insufficient system storage") with RFC 3463 §3.4 X.3.1 "mail system full": the client keeps
    // the message and tries again later.
    private static readonly SmtpReply InsufficientStorage = new(452, "4.3.1", "Insufficient system storage, try again later");
    private static readonly SmtpReply StoreUnavailable = new(451, "4.3.0", "Temporary failure storing the message, try again later");
    private static readonly SmtpReply MailboxFull = new(552, "5.2.2", "Mailbox full");
    private static readonly SmtpReply MailLoop = new(554, "5.4.6", "Too many Received header fields: mail loop");

    private static readonly byte[] ForgedPrefix = Encoding.ASCII.GetBytes(MailAuthenticator.ForgedFieldPrefix);

    private readonly ArrayBufferWriter<byte> _unstuffed = new(16 * 1024);

    private async ValueTask<bool> DataAsync()
    {
        var transaction = _transaction!;
        if (transaction.Mail.Body == SmtpBodyType.BinaryMime)
        {
            // RFC 3030 §3: a BINARYMIME message travels only with BDAT.
            return await ErrorAsync(new SmtpReply(503, "5.5.1", "BODY=BINARYMIME requires BDAT")).ConfigureAwait(false);
        }

        if (_connection.IsStopping)
        {
            return await RefuseTransferWhileStoppingAsync().ConfigureAwait(false);
        }

        // SECURITY B3 / RFC 2920 §3.1: DATA ends a pipelined group; content sent before the 354 reply is an early
        // talker whose bytes could not be told apart from commands.
        if (_connection.Input.TryRead(out var early))
        {
            var talkedEarly = !early.Buffer.IsEmpty;
            _connection.Input.AdvanceTo(early.Buffer.Start);
            if (talkedEarly)
            {
                return await CloseWithAsync(new SmtpReply(554, "5.5.0", "Message content sent before the 354 reply"), "content before 354").ConfigureAwait(false);
            }
        }

        await WriteLineAsync("354 Start mail input; end with <CRLF>.<CRLF>").ConfigureAwait(false);
        await StartContentAsync(transaction).ConfigureAwait(false);
        var unstuffer = new DotUnstuffer(new DotUnstufferOptions { BareLineEndings = _services.Options.BareLineEndings, MaxMessageSize = MaxMessageSize });
        using var deadline = NewTransferDeadline();
        while (true)
        {
            var (status, result) = await _connection.ReadAsync(deadline.Token).ConfigureAwait(false);
            if (status != MailReadStatus.Ready)
            {
                await EndWaitAsync(status, MailHostMetrics.DataReason, "timeout during DATA", inTransfer: true).ConfigureAwait(false);
                return true;
            }

            var completed = unstuffer.Unstuff(result.Buffer, _unstuffed, out var consumed) == DotUnstuffStatus.Completed;
            deadline.Received(result.Buffer.Slice(0, consumed).Length);
            await WriteContentAsync(transaction, _unstuffed.WrittenMemory).ConfigureAwait(false);
            _unstuffed.ResetWrittenCount();
            _connection.Input.AdvanceTo(consumed);
            if (completed)
            {
                break;
            }

            if (result.IsCompleted)
            {
                // A connection lost during DATA stores nothing: the spool is dropped with the transaction.
                SmtpLog.Closing(_logger, "connection lost during DATA");
                return true;
            }
        }

        _connection.Trace.ReceivedPayload(unstuffer.MessageLength, "message");
        transaction.ContentLength = unstuffer.MessageLength;
        return await FinishAsync(transaction, SmtpReplies.ForDataError(unstuffer.Error)).ConfigureAwait(false);
    }

    private async ValueTask<bool> BdatAsync(BdatCommand chunk)
    {
        var transaction = _transaction!;
        if (!transaction.IsChunking && _connection.IsStopping)
        {
            // The chunk's octets follow the command unread: the connection closes, so nothing needs them skipped.
            return await RefuseTransferWhileStoppingAsync().ConfigureAwait(false);
        }

        if (!transaction.IsChunking)
        {
            transaction.IsChunking = true;
            await StartContentAsync(transaction).ConfigureAwait(false);
        }

        // SIZE while streaming: the declared length is only a number, never an allocation (SECURITY B4).
        var tooBig = chunk.ChunkSize > MaxMessageSize - transaction.ContentLength;
        var remaining = chunk.ChunkSize;
        using var deadline = NewTransferDeadline();
        while (remaining > 0)
        {
            var (status, result) = await _connection.ReadAsync(deadline.Token).ConfigureAwait(false);
            if (status != MailReadStatus.Ready)
            {
                await EndWaitAsync(status, MailHostMetrics.DataReason, "timeout during BDAT", inTransfer: true).ConfigureAwait(false);
                return true;
            }

            var part = result.Buffer.Slice(0, Math.Min(remaining, result.Buffer.Length));
            deadline.Received(part.Length);
            if (!tooBig)
            {
                foreach (var segment in part)
                {
                    await WriteContentAsync(transaction, segment).ConfigureAwait(false);
                }
            }

            remaining -= part.Length;
            _connection.Input.AdvanceTo(part.End);
            if (remaining > 0 && result.IsCompleted)
            {
                // SECURITY B4 / A8: EOF inside a chunk drops the transaction; nothing is stored.
                SmtpLog.Closing(_logger, "connection lost during BDAT");
                return true;
            }
        }

        _connection.Trace.ReceivedPayload(chunk.ChunkSize, chunk.IsLast ? "last chunk" : "chunk");
        if (tooBig)
        {
            // RFC 3030 §2: after an error reply the client sends no more chunks of this transaction.
            await ResetTransactionAsync().ConfigureAwait(false);
            await ReplyAsync(SmtpReplies.MessageTooBig).ConfigureAwait(false);
            return false;
        }

        transaction.ContentLength += chunk.ChunkSize;
        if (!chunk.IsLast)
        {
            await ReplyAsync(new SmtpReply(250, "2.0.0", string.Create(CultureInfo.InvariantCulture, $"{chunk.ChunkSize} octets received"))).ConfigureAwait(false);
            return false;
        }

        return await FinishAsync(transaction, null).ConfigureAwait(false);
    }

    /// <summary>Reads and drops <paramref name="length"/> octets (a refused BDAT chunk); false when the connection ended first.</summary>
    private async ValueTask<bool> DiscardAsync(long length)
    {
        using var deadline = NewTransferDeadline();
        while (length > 0)
        {
            var (status, result) = await _connection.ReadAsync(deadline.Token).ConfigureAwait(false);
            if (status != MailReadStatus.Ready)
            {
                await EndWaitAsync(status, MailHostMetrics.DataReason, "timeout during BDAT", inTransfer: true).ConfigureAwait(false);
                return false;
            }

            var part = result.Buffer.Slice(0, Math.Min(length, result.Buffer.Length));
            deadline.Received(part.Length);
            length -= part.Length;
            _connection.Input.AdvanceTo(part.End);
            if (length > 0 && result.IsCompleted)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The deadline of one DATA transfer or BDAT chunk: the data timeout, kept up by the minimum rate. The host beginning
    /// to stop does not end it, only the shutdown deadline does: a transfer in progress may finish and be acknowledged.
    /// </summary>
    private SmtpReadDeadline NewTransferDeadline()
        => new(_services.Options.DataTimeout, _services.Options.MinDataRate, _connection.TimeProvider, _connection.ShutdownDeadline, _connection.SessionLimit);

    /// <summary>
    /// DATA or a first BDAT after the host began to stop: no new transfer starts (the client keeps the message and
    /// tries again later, RFC 5321 §3.8); the session ends with 421.
    /// </summary>
    private async ValueTask<bool> RefuseTransferWhileStoppingAsync()
    {
        await EndWaitAsync(MailReadStatus.Stopping, MailHostMetrics.DataReason, "server shutting down").ConfigureAwait(false);
        return true;
    }

    /// <summary>Opens the spool with Return-Path (for local delivery) and this server's Received field first (RFC 5321 §4.4).</summary>
    private async ValueTask StartContentAsync(SmtpTransaction transaction)
    {
        transaction.Spool = new MessageSpool(SmtpSpoolDirectory.Resolve(_services.Options.SpoolDirectory), _services.Options.SpoolMemoryThreshold, SmtpSpoolDirectory.FileNamePrefix);
        var returnPath = SmtpTraceHeaders.ReturnPath(transaction.Mail.ReversePath);
        var received = SmtpTraceHeaders.Received(
            _services.Hostname,
            _clientIdentity,
            _clientIdentityKind,
            Info.RemoteEndPoint,
            SmtpTraceHeaders.Protocol(_extended, transaction.Mail.SmtpUtf8, Info.IsTls, _account is not null),
            Info.TlsDescription,
            transaction.Id,
            transaction.SingleRecipient,
            _connection.TimeProvider.GetUtcNow());
        transaction.ReturnPathLength = returnPath.Length;
        transaction.ContentOffset = returnPath.Length + received.Length;
        await SpoolAsync(transaction, returnPath).ConfigureAwait(false);
        await SpoolAsync(transaction, received).ConfigureAwait(false);
    }

    /// <summary>Client content: counted for loop detection, then spooled.</summary>
    private ValueTask WriteContentAsync(SmtpTransaction transaction, ReadOnlyMemory<byte> content)
    {
        transaction.Received.Scan(content.Span);
        return SpoolAsync(transaction, content);
    }

    private async ValueTask SpoolAsync(SmtpTransaction transaction, ReadOnlyMemory<byte> bytes)
    {
        if (transaction.SpoolFailed || bytes.IsEmpty)
        {
            return;
        }

        try
        {
            await transaction.Spool!.WriteAsync(bytes, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The rest of the content is still read so the session stays in step; the message is then refused.
            SmtpLog.SpoolFailed(_logger, transaction.Id, ex);
            transaction.SpoolFailed = true;

            // Only a full disk is 452 4.3.1; a spool directory that refuses the file (read-only, permissions) is 451 4.3.0.
            transaction.SpoolOutOfSpace = StorageFailures.IsOutOfSpace(ex);
        }
    }

    /// <summary>The end of the content: refuse, or deliver and answer 250 only when everything is durable.</summary>
    private async ValueTask<bool> FinishAsync(SmtpTransaction transaction, SmtpReply? refusal)
    {
        var reply = refusal
            ?? (transaction.SpoolFailed ? (transaction.SpoolOutOfSpace ? InsufficientStorage : StoreUnavailable) : null)
            ?? (transaction.Received.Count >= _services.Options.MaxReceivedHeaders ? MailLoop : null)
            ?? await DeliverAsync(transaction).ConfigureAwait(false);
        using (FilterLogScope())
        {
            if (reply.Code == 250)
            {
                MailHostMetrics.MessageReceived(Info.Endpoint.Protocol);
                SmtpLog.Accepted(_logger, transaction.Id, transaction.ContentLength, transaction.LocalTargets.Count, transaction.ExternalRecipients.Count);
            }
            else
            {
                SmtpLog.Refused(_logger, transaction.Id, reply.ToString());
            }
        }

        // RFC 5321 §4.1.1.4: the transaction ends with the reply to the end of data, whatever it is.
        await ResetTransactionAsync().ConfigureAwait(false);
        await ReplyAsync(reply).ConfigureAwait(false);
        _transferEndedWhileStopping |= _connection.IsStopping;
        return false;
    }

    private async ValueTask<SmtpReply> DeliverAsync(SmtpTransaction transaction)
    {
        try
        {
            var header = await ReadClientHeaderAsync(transaction).ConfigureAwait(false);
            if (await CheckAuthorAsync(transaction, header).ConfigureAwait(false) is { } refused)
            {
                return refused;
            }

            var forged = header is null ? [] : ForgedAuthenticationResults.Find(header, _services.Hostname);
            if (forged.Count > 0)
            {
                MailAuthenticationLog.ForgedResults(_logger, transaction.Id, forged.Count);
            }

            // MX mail is checked (SPF, DKIM, DMARC) before the filters, which may read the result (RFC 8601).
            MailAuthenticationResult? authentication = null;
            if (transaction.LocalTargets.Count > 0 && _services.MailAuthenticator is { Options.Enabled: true } && !_isSubmission && _account is null)
            {
                var spool = await transaction.Spool!.OpenReadAsync(0, CancellationToken.None).ConfigureAwait(false);
                authentication = await _services.MailAuthenticator.AuthenticateSpooledContentAsync(
                    new MailAuthenticationRequest(Info.RemoteEndPoint?.Address, _clientIdentityKind == SmtpIdentityKind.Domain ? _clientIdentity : null, transaction.Mail.ReversePath.Mailbox) { MessageId = transaction.Id },
                    spool,
                    transaction.ContentOffset,
                    CancellationToken.None).ConfigureAwait(false);
                switch (authentication.Disposition)
                {
                    case MailAuthenticationDisposition.Reject:
                        // RFC 7489 §6.6.4 p=reject, with the RFC 7372 §3.1 code for a failed authentication policy.
                        return new SmtpReply(550, "5.7.1", "Message rejected by the DMARC policy of " + authentication.Dmarc.FromDomain);
                    case MailAuthenticationDisposition.Defer:
                        return new SmtpReply(451, "4.4.3", "Temporary DNS failure checking DMARC, try again later");
                }
            }

            if (await FilterMessageAsync(transaction, AuthenticationResultsValue(authentication)).ConfigureAwait(false) is { } filtered)
            {
                return filtered;
            }

            var disposition = FilterDisposition;
            if (disposition == InboundFilterAction.Discard)
            {
                InboundFilterLog.Disposed(_logger, transaction.Id, "discarded", string.Join("; ", _filterRun!.Summaries));
                return new SmtpReply(250, "2.0.0", "OK: queued as " + transaction.Id);
            }

            var quarantined = disposition == InboundFilterAction.Quarantine;
            if (quarantined && transaction.ExternalRecipients.Count > 0 && _services.Filtering.QuarantineAccount is not { Length: > 0 })
            {
                // Nowhere to hold a message for external recipients: refusing it is the only way not to send it.
                return QuarantineRefused;
            }

            var edits = await ContentEditsAsync(transaction, forged, quarantined).ConfigureAwait(false);
            if (disposition != InboundFilterAction.Accept)
            {
                InboundFilterLog.Disposed(_logger, transaction.Id, quarantined ? "quarantined" : "delivered to Junk", string.Join("; ", _filterRun!.Summaries));
            }

            if (transaction.LocalTargets.Count > 0 || (quarantined && transaction.ExternalRecipients.Count > 0))
            {
                IReadOnlyList<DeliveryTarget> targets = transaction.LocalTargets;
                if (authentication is { Disposition: MailAuthenticationDisposition.Quarantine } && disposition == InboundFilterAction.Accept)
                {
                    // RFC 7489 §6.6.4 p=quarantine: the recipient's Junk mailbox.
                    disposition = InboundFilterAction.Junk;
                }

                targets = await FilteredTargetsAsync(targets, disposition).ConfigureAwait(false);

                // The store reads [Return-Path][Authentication-Results][Received][filters' fields][content].
                var spool = await transaction.Spool!.OpenReadAsync(0, CancellationToken.None).ConfigureAwait(false);
                var localEdits = authentication is null
                    ? edits
                    : [MessageEdit.Insertion(transaction.ReturnPathLength, Encoding.ASCII.GetBytes(authentication.HeaderField)), .. edits];
                var content = Composed(spool, 0, localEdits);

                // Never cancelled by the client going away: the content is complete, so it is stored or refused.
                var started = MailHostMetrics.StoreOperationStarting();
                var delivered = await _services.Store.DeliverAsync(content, targets, CancellationToken.None).ConfigureAwait(false);
                MailHostMetrics.StoreOperationEnded(started, "deliver", _services.Store);
                if (!delivered.IsSuccess)
                {
                    SmtpLog.StoreFailed(_logger, transaction.Id, delivered.Error.Message);
                    return ForStoreError(delivered.Error);
                }

                // Every copy stored counts, also when others failed and the reply is a temporary failure: those copies
                // are in their mailboxes (and the retry may add a second).
                var failures = delivered.Value.Targets.Where(t => t.Error is not null).Select(t => t.Error!).ToList();
                MailHostMetrics.MessagesDelivered.Add(delivered.Value.Targets.Count - failures.Count, new KeyValuePair<string, object?>("route", "local"));
                if (failures.Count > 0)
                {
                    foreach (var failure in failures)
                    {
                        SmtpLog.StoreFailed(_logger, transaction.Id, failure.Message);
                    }

                    // DATA has one reply for all recipients. Mixed outcomes get a temporary failure: the client tries
                    // again and the recipients already served may see the message twice (RFC 5321 §6.1 accepts
                    // duplicates; it never accepts a loss).
                    var overQuota = failures.TrueForAll(f => f.Code == StoreErrorCode.OverQuota);
                    return overQuota && failures.Count == targets.Count ? MailboxFull
                        : overQuota ? new SmtpReply(452, "4.2.2", "Mailbox full for some recipients, try again later")
                        : failures.TrueForAll(f => f.Code == StoreErrorCode.InsufficientStorage) ? InsufficientStorage
                        : StoreUnavailable;
                }
            }

            if (transaction.ExternalRecipients.Count > 0 && !quarantined)
            {
                var spool = await transaction.Spool!.OpenReadAsync(transaction.ReturnPathLength, CancellationToken.None).ConfigureAwait(false);
                var content = Composed(spool, transaction.ReturnPathLength, edits);
                var mail = transaction.Mail;
                var envelope = new OutboundEnvelope(mail.ReversePath.Mailbox?.ToString(), [.. transaction.ExternalRecipients], _account!)
                {
                    Body = mail.Body,
                    SmtpUtf8 = mail.SmtpUtf8,
                    Return = mail.Return,
                    EnvelopeId = mail.EnvelopeId,
                };
                var queued = await _services.Outbound!.EnqueueAsync(envelope, content, CancellationToken.None).ConfigureAwait(false);
                if (!queued.IsSuccess)
                {
                    SmtpLog.StoreFailed(_logger, transaction.Id, queued.Error!.Message);
                    return ForStoreError(queued.Error);
                }
            }
        }
#pragma warning disable CA1031 // The store's error boundary: whatever it throws, the client gets a temporary failure, never 250.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            SmtpLog.StoreException(_logger, transaction.Id, ex);
            return StoreUnavailable;
        }

        return new SmtpReply(250, "2.0.0", "OK: queued as " + transaction.Id);
    }

    /// <summary>
    /// The edits of the client's content before it is stored or queued: forged Authentication-Results fields renamed
    /// (RFC 8601 §5) and the filters' header changes.
    /// </summary>
    private async ValueTask<List<MessageEdit>> ContentEditsAsync(SmtpTransaction transaction, List<long> forged, bool quarantined)
    {
        var changes = FilterHeaderChanges(transaction, quarantined);
        var spool = await transaction.Spool!.OpenReadAsync(0, CancellationToken.None).ConfigureAwait(false);
        var edits = await InboundHeaderEditor.EditsAsync(spool, transaction.ContentOffset, changes, CancellationToken.None).ConfigureAwait(false);
        foreach (var offset in forged)
        {
            var at = transaction.ContentOffset + offset;

            // A field a filter removed needs no new name.
            if (!edits.Exists(e => e.Offset == at && e.RemoveLength > 0))
            {
                edits.Add(MessageEdit.Insertion(at, ForgedPrefix));
            }
        }

        // Insertions before removals at one offset (MessageEdit.Apply keeps the order given there).
        return [.. edits.OrderBy(e => e.Offset).ThenBy(e => e.RemoveLength > 0 ? 1 : 0)];
    }

    /// <summary>The spool from <paramref name="start"/> with <paramref name="edits"/>; the spool itself when there are none.</summary>
    private static Stream Composed(Stream spool, long start, List<MessageEdit> edits)
        => edits.Count == 0 ? spool : new MessageSegmentStream(spool, MessageEdit.Apply(start, spool.Length, edits));

    /// <summary>The value of this server's Authentication-Results field (without its name), for the filters.</summary>
    private static string? AuthenticationResultsValue(MailAuthenticationResult? result)
    {
        if (result is null)
        {
            return null;
        }

        var field = result.HeaderField;
        var colon = field.IndexOf(':', StringComparison.Ordinal);
        return field[(colon + 1)..].Trim();
    }

    private static SmtpReply ForStoreError(StoreError error) => error.Code switch
    {
        StoreErrorCode.TooBig => SmtpReplies.MessageTooBig,
        StoreErrorCode.OverQuota => MailboxFull,
        StoreErrorCode.InsufficientStorage => InsufficientStorage,
        _ => StoreUnavailable,
    };
}
