using System.Globalization;
using MailHost.Protocols.Imap;
using MailHost.Storage;

namespace MailHost.Imap;

/// <summary>
/// The selected state (RFC 9051 §6.4): STORE (RFC 7162 UNCHANGEDSINCE), COPY and MOVE (RFC 6851, RFC 4315 COPYUID),
/// EXPUNGE and UID EXPUNGE, sequence-number bookkeeping and the untagged updates of §7.5.1 (VANISHED for QRESYNC).
/// </summary>
internal sealed partial class ImapSession
{
    private Task DispatchMessageAsync(ImapCommand command) => command switch
    {
        FetchCommand c => FetchAsync(c),
        StoreCommand c => StoreAsync(c),
        SearchCommand c => SearchAsync(c),
        CopyCommand c => CopyAsync(c.Tag, c.IsUid, c.Set, c.Mailbox, move: false),
        MoveCommand c => CopyAsync(c.Tag, c.IsUid, c.Set, c.Mailbox, move: true),
        ExpungeCommand c => ExpungeAsync(c),
        IdleCommand c => IdleAsync(c),
        SortCommand c => SortAsync(c),
        ThreadCommand c => ThreadAsync(c),
        _ => UnsupportedAsync(command),
    };

    private Task UnsupportedAsync(ImapCommand command)
    {
        _writer.WriteTagged(command.Tag, ImapResponseStatus.Bad, null, "Command not supported");
        return Task.CompletedTask;
    }

    /// <summary>
    /// Resolves a sequence set (or UID set with <paramref name="isUid"/>) against the client's view to UIDs.
    /// RFC 9051 §6.4: a sequence number beyond the mailbox is an error (BAD); UIDs that do not exist are simply left out.
    /// </summary>
    private bool TryResolve(ImapSequenceSet set, bool isUid, out UidSet uids, bool lenient = false)
    {
        var selected = _selected!;
        uids = UidSet.Empty;
        if (set.IsSavedResult)
        {
            // RFC 5182 §2.1: $ is the saved UIDs, less those expunged since.
            uids = UidSet.FromUids(selected.SavedSearch.Where(u => selected.Messages.SequenceOf(u) > 0));
            return true;
        }

        return selected.Messages.TryResolve(set, isUid, lenient, out uids);
    }

    private void WriteInvalidSet(string tag)
        => _writer.WriteTagged(tag, ImapResponseStatus.Bad, "CLIENTBUG", "Invalid message sequence number");

    private async Task StoreAsync(StoreCommand command)
    {
        var selected = _selected!;
        if (!TryResolve(command.Set, command.IsUid, out var uids))
        {
            WriteInvalidSet(command.Tag);
            return;
        }

        var (flags, keywords, valid) = ParseFlags(command.Flags);
        if (!valid)
        {
            _writer.WriteTagged(command.Tag, ImapResponseStatus.Bad, "CLIENTBUG", "Invalid flag");
            return;
        }

        if (selected.ReadOnly)
        {
            _writer.WriteTagged(command.Tag, ImapResponseStatus.No, "CANNOT", "The mailbox is read-only");
            return;
        }

        if (command.UnchangedSince is not null)
        {
            // RFC 7162 §3.1: UNCHANGEDSINCE is a CONDSTORE-enabling modifier.
            EnableCondstore();
        }

        var operation = command.Mode switch
        {
            ImapStoreMode.Add => FlagOperation.Add,
            ImapStoreMode.Remove => FlagOperation.Remove,
            _ => FlagOperation.Replace,
        };
        StoreFlagsResult stored;
        if (uids.IsEmpty)
        {
            stored = new StoreFlagsResult([], [], selected.View.Snapshot.HighestModSeq);
        }
        else
        {
            var result = await selected.View.StoreFlagsAsync(uids, operation, flags, keywords, command.UnchangedSince, _stopping).ConfigureAwait(false);
            if (!result.IsSuccess)
            {
                WriteStoreError(command.Tag, result.Error);
                return;
            }

            stored = result.Value;
        }

        foreach (var state in stored.Messages)
        {
            // RFC 9051 §6.4.6: FETCH responses with the new flags unless .SILENT. RFC 7162 §3.1.3: with CONDSTORE a
            // .SILENT store still sends each changed message's new MODSEQ (required with UNCHANGEDSINCE, and the
            // only way the client's cache learns the mod-sequence otherwise); §3.2.4: with QRESYNC, UID as well.
            bool report = !command.Silent || (_condstore && state.Changed);
            uint seq = selected.Messages.SequenceOf(state.Uid);
            if (!report || seq == 0)
            {
                continue;
            }

            selected.Messages.Supersede(state.Uid);
            WriteFlagsFetch(seq, state.Uid, state.Flags, state.Keywords, state.ModSeq, includeUid: command.IsUid || _qresync, includeFlags: !command.Silent);
            await _output.FlushIfFullAsync().ConfigureAwait(false);
        }

        await SendUpdatesAsync(ImapCommandTable.AllowsExpungeResponses(command)).ConfigureAwait(false);
        if (stored.Modified.Count > 0)
        {
            // RFC 7162 §3.1.3: [MODIFIED set] names the messages UNCHANGEDSINCE kept.
            var modified = command.IsUid
                ? stored.Modified
                : stored.Modified.Select(selected.Messages.SequenceOf).Where(s => s > 0).ToList();
            _writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, "MODIFIED " + UidSet.FromUids(modified), "Conditional STORE failed for some messages");
            return;
        }

        _writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "STORE completed");
    }

    /// <summary>
    /// A FETCH response for a flag change: <c>* n FETCH ([UID u] [FLAGS (...)] [MODSEQ (m)])</c>, MODSEQ whenever
    /// the session is CONDSTORE-aware (RFC 7162 §3.1: in every later untagged FETCH, whoever changed the flags).
    /// </summary>
    private void WriteFlagsFetch(uint seq, uint uid, MessageFlags flags, IReadOnlyList<string> keywords, ulong modSeq, bool includeUid, bool includeFlags = true)
    {
        if (includeFlags)
        {
            AnnounceKeywords(keywords);
        }

        var fetch = new ImapFetchResponse(_writer, seq);
        if (includeUid)
        {
            fetch.Uid(uid);
        }

        if (includeFlags)
        {
            fetch.Flags(SystemFlags(uid, flags), keywords);
        }

        if (_condstore)
        {
            fetch.ModSeq(modSeq);
        }

        fetch.End();
    }

    private async Task CopyAsync(string tag, bool isUid, ImapSequenceSet set, string mailbox, bool move)
    {
        var selected = _selected!;
        if (!TryResolve(set, isUid, out var uids))
        {
            WriteInvalidSet(tag);
            return;
        }

        if (RefuseUndecodable(tag, mailbox))
        {
            return;
        }

        if (move && selected.ReadOnly)
        {
            _writer.WriteTagged(tag, ImapResponseStatus.No, "CANNOT", "The mailbox is read-only");
            return;
        }

        if (uids.IsEmpty)
        {
            // RFC 9051 §6.4.7: nothing to copy is not an error; the target must still exist.
            var status = await Account.GetStatusAsync(mailbox, _stopping).ConfigureAwait(false);
            if (!status.IsSuccess)
            {
                WriteStoreError(tag, status.Error, tryCreate: true);
                return;
            }

            _writer.WriteTagged(tag, ImapResponseStatus.Ok, null, move ? "MOVE completed" : "COPY completed");
            return;
        }

        var result = move
            ? await selected.View.MoveAsync(uids, mailbox, _stopping).ConfigureAwait(false)
            : await selected.View.CopyAsync(uids, mailbox, _stopping).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            WriteStoreError(tag, result.Error, tryCreate: true);
            return;
        }

        var copied = result.Value;
        var copyUid = copied.SourceUids.Count == 0
            ? null
            : "COPYUID " + copied.DestinationUidValidity.ToString(CultureInfo.InvariantCulture) + " "
                + SequenceSetText(copied.SourceUids) + " " + SequenceSetText(copied.DestinationUids);
        if (!move)
        {
            await SendUpdatesAsync(allowExpunge: true).ConfigureAwait(false);
            _writer.WriteTagged(tag, ImapResponseStatus.Ok, copyUid, "COPY completed");
            return;
        }

        // RFC 6851 §4.3: COPYUID goes in an untagged OK before the expunges.
        if (copyUid is not null)
        {
            _writer.WriteUntagged(ImapResponseStatus.Ok, copyUid, "Moved");
        }

        AnnounceExpunged(copied.SourceUids);
        await SendUpdatesAsync(allowExpunge: true).ConfigureAwait(false);
        _writer.WriteTagged(tag, ImapResponseStatus.Ok, null, "MOVE completed");
    }

    /// <summary>An IMAP sequence set in the given order (RFC 4315 §3 pairs source and destination UIDs by position).</summary>
    private static string SequenceSetText(IReadOnlyList<uint> values)
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < values.Count; i++)
        {
            int j = i;
            while (j + 1 < values.Count && values[j + 1] == values[j] + 1)
            {
                j++;
            }

            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(values[i].ToString(CultureInfo.InvariantCulture));
            if (j > i)
            {
                text.Append(':').Append(values[j].ToString(CultureInfo.InvariantCulture));
            }

            i = j;
        }

        return text.ToString();
    }

    private async Task ExpungeAsync(ExpungeCommand command)
    {
        var selected = _selected!;
        UidSet? uids = null;
        if (command.IsUid)
        {
            if (!TryResolve(command.Uids!, isUid: true, out var resolved))
            {
                WriteInvalidSet(command.Tag);
                return;
            }

            uids = resolved;
        }

        if (selected.ReadOnly)
        {
            _writer.WriteTagged(command.Tag, ImapResponseStatus.No, "CANNOT", "The mailbox is read-only");
            return;
        }

        ExpungeResult expunged;
        if (uids is { IsEmpty: true })
        {
            expunged = new ExpungeResult([], selected.View.Snapshot.HighestModSeq);
        }
        else
        {
            var result = await selected.View.ExpungeAsync(uids, _stopping).ConfigureAwait(false);
            if (!result.IsSuccess)
            {
                WriteStoreError(command.Tag, result.Error);
                return;
            }

            expunged = result.Value;
        }

        AnnounceExpunged(expunged.Expunged);
        await SendUpdatesAsync(allowExpunge: true).ConfigureAwait(false);

        // RFC 7162 §3.2.10: with QRESYNC the tagged OK carries the new HIGHESTMODSEQ.
        _writer.WriteTagged(
            command.Tag,
            ImapResponseStatus.Ok,
            _qresync ? "HIGHESTMODSEQ " + expunged.HighestModSeq.ToString(CultureInfo.InvariantCulture) : null,
            "EXPUNGE completed");
    }

    /// <summary>Tells the client that <paramref name="uids"/> are gone: EXPUNGE responses, or VANISHED once QRESYNC is on (RFC 7162 §3.2.10).</summary>
    private void AnnounceExpunged(IEnumerable<uint> uids) => AnnounceExpunged(_selected!.Messages.Expunge(uids));

    private void AnnounceExpunged(ImapExpungeAnnouncement gone)
    {
        if (gone.Uids.Count == 0)
        {
            return;
        }

        if (_qresync)
        {
            _writer.WriteRaw("* VANISHED "u8);
            _writer.WriteRaw(System.Text.Encoding.ASCII.GetBytes(UidSet.FromUids(gone.Uids).ToString()));
            _writer.WriteCrlf();
            return;
        }

        foreach (uint seq in gone.SequenceNumbers)
        {
            _writer.WriteNumbered(seq, "EXPUNGE"u8);
        }
    }

    /// <summary>
    /// Takes the changes other sessions made and reports them (RFC 9051 §7.5.1): EXISTS and flag changes at once,
    /// EXPUNGE (or VANISHED) only when <paramref name="allowExpunge"/>; until then expunged messages keep their numbers.
    /// </summary>
    private async Task SendUpdatesAsync(bool allowExpunge)
    {
        var selected = _selected;
        if (selected is null)
        {
            return;
        }

        // RFC 9051 §7.5.1: expunges are taken only when they can be announced; until then the view keeps the
        // messages readable (RFC 2180 §4.1.1).
        var polled = await selected.View.PollChangesAsync(takeExpunges: allowExpunge, _stopping).ConfigureAwait(false);
        if (!polled.IsSuccess)
        {
            if (polled.Error.Code == StoreErrorCode.NotFound)
            {
                // The selected mailbox was deleted by another session: nothing sensible remains to report.
                _writer.WriteUntagged(ImapResponseStatus.Bye, "NONEXISTENT", "The selected mailbox was deleted");
                ImapLog.Closing(_logger, "selected mailbox deleted");
                _state = ImapState.Logout;
            }

            return;
        }

        var changes = polled.Value;
        var messages = selected.Messages;
        messages.Fold(changes.Changes);
        if (changes.KeywordsChanged && !FlagSetEqual(selected.Keywords, changes.Snapshot.Keywords))
        {
            WriteFlagsResponses(selected, changes.Snapshot.Keywords, changes.Snapshot.CanCreateKeywords);
        }

        if (allowExpunge && messages.HasPendingExpunges)
        {
            AnnounceExpunged(messages.TakePendingExpunges());
        }

        if (messages.TakeArrivals().Count > 0)
        {
            await ClaimRecentAsync(selected).ConfigureAwait(false);
            _writer.WriteNumbered((uint)messages.Count, "EXISTS"u8);
            WriteRecentCount(selected);
        }

        foreach (var (seq, change) in messages.TakeFlagChanges())
        {
            WriteFlagsFetch(seq, change.Uid, change.Flags, change.Keywords, change.ModSeq, includeUid: true);
            await _output.FlushIfFullAsync().ConfigureAwait(false);
        }
    }

    private static bool FlagSetEqual(IReadOnlyList<string> a, IReadOnlyList<string> b)
        => a.Count == b.Count && a.All(k => b.Contains(k, StringComparer.OrdinalIgnoreCase));

    /// <summary>RFC 7162 §3.2.5: what changed since the client's last known MODSEQ, on SELECT (QRESYNC ...).</summary>
    private async Task QresyncAsync(ImapSelectedMailbox selected, ImapQresyncParameters qresync)
    {
        var vanished = await selected.View.GetVanishedAsync(qresync.ModSeq, _stopping).ConfigureAwait(false);
        if (vanished.IsSuccess)
        {
            var known = qresync.KnownUids;
            var gone = vanished.Value.Where(u => known is null || known.Contains(u, uint.MaxValue)).ToList();
            if (gone.Count > 0)
            {
                _writer.WriteRaw("* VANISHED (EARLIER) "u8);
                _writer.WriteRaw(System.Text.Encoding.ASCII.GetBytes(UidSet.FromUids(gone).ToString()));
                _writer.WriteCrlf();
            }
        }

        if (selected.Messages.Count == 0)
        {
            return;
        }

        await foreach (var message in selected.View.FetchAsync(UidSet.FromUids(selected.Messages.Uids), new FetchOptions(ChangedSince: qresync.ModSeq), _stopping).ConfigureAwait(false))
        {
            uint seq = selected.Messages.SequenceOf(message.Uid);
            if (seq > 0)
            {
                WriteFlagsFetch(seq, message.Uid, message.Flags, message.Keywords, message.ModSeq, includeUid: true);
            }
        }
    }
}
