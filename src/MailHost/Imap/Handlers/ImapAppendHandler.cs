using System.Globalization;
using MailHost.Connections;
using MailHost.Protocols.Imap;
using MailHost.Storage;

namespace MailHost.Imap.Handlers;

/// <summary>
/// APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502), UIDPLUS APPENDUID (RFC 4315) and APPENDLIMIT (RFC 7889).
/// Each message literal is offered to <see cref="AcceptAsync"/> while the command line is still being read, then
/// streamed to <see cref="StoreAsync"/>; the parsed command completes the append.
/// </summary>
internal sealed class ImapAppendHandler(ImapSessionState session, ImapServices services, ImapReplies replies, ImapMailboxUpdates updates)
{
    // The command being appended: its stored messages and the first failure, until the command ends.
    private readonly List<uint> _appended = [];
    private uint _appendedUidValidity;
    private StoreError? _appendError;
    private (ImapResponseStatus Status, string? Code, string Text)? _refusal;

    /// <summary>
    /// Decides on the message literal next on the wire, before its data is sent (RFC 7889 §4: before any
    /// continuation), and asks for it when it is synchronizing. False: refused, answer with <see cref="RefuseAsync"/>.
    /// </summary>
    public async Task<bool> AcceptAsync(ImapAppendMessage message)
    {
        if (message.Index == 0)
        {
            _appended.Clear();
            _appendError = null;
        }

        _refusal = await CheckAsync(message).ConfigureAwait(false);
        if (_refusal is not null || _appendError is not null)
        {
            return false;
        }

        if (message.IsSynchronizing)
        {
            session.Writer.WriteContinuation("Ready for literal data");
            await session.Output.FlushAsync().ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Ends the command after a refused message: takes back what it stored (RFC 3502 §6.3.11) and answers.</summary>
    public async Task RefuseAsync(ImapAppendMessage message)
    {
        await UndoAsync(message.Mailbox).ConfigureAwait(false);
        if (_refusal is { } r)
        {
            session.Writer.WriteTagged(message.Tag, r.Status, r.Code, r.Text);
        }
        else
        {
            replies.WriteStoreError(message.Tag, _appendError!, tryCreate: true);
        }

        _refusal = null;
        _appendError = null;
        _appended.Clear();
    }

    /// <summary>Stores an accepted message read from <paramref name="literal"/>; a failure is answered when the command ends.</summary>
    public async Task StoreAsync(ImapAppendMessage message, Stream literal)
    {
        var (flags, keywords, _) = ImapFlags.Parse(message.Flags);

        // RFC 3516 §4.4: a literal8 may carry NUL, which no BODY[] literal can; such parts are stored base64-encoded.
        var options = new AppendOptions(flags, keywords, message.InternalDate) { EncodeNulParts = message.IsBinary };
        // The store reads the literal as it arrives, so this includes the client's transfer (no copy of the message
        // is made to time the store alone).
        var started = MailHostMetrics.StoreOperationStarting();
        var result = await session.Account.AppendAsync(message.Mailbox, literal, options, session.Stopping).ConfigureAwait(false);
        MailHostMetrics.StoreOperationEnded(started, "append", session.Account);
        if (result.IsSuccess)
        {
            _appended.Add(result.Value.Uid);
            _appendedUidValidity = result.Value.UidValidity;
        }
        else
        {
            _appendError = result.Error;
        }
    }

    /// <summary>The command itself, once every message literal was read.</summary>
    public async Task CompleteAsync(AppendCommand command)
    {
        if (_appendError is not null)
        {
            // RFC 3502 §6.3.11: MULTIAPPEND is all or nothing.
            await UndoAsync(command.Mailbox).ConfigureAwait(false);
            replies.WriteStoreError(command.Tag, _appendError, tryCreate: true);
            _appendError = null;
            return;
        }

        var uids = UidSet.FromUids(_appended);
        _appended.Clear();
        await updates.SendAsync(allowExpunge: true).ConfigureAwait(false);

        // RFC 4315 §3: [APPENDUID uidvalidity uid-set].
        session.Writer.WriteTagged(
            command.Tag,
            ImapResponseStatus.Ok,
            "APPENDUID " + _appendedUidValidity.ToString(CultureInfo.InvariantCulture) + " " + uids,
            "APPEND completed");
    }

    private async Task<(ImapResponseStatus Status, string? Code, string Text)?> CheckAsync(ImapAppendMessage message)
    {
        if (session.State is not (ImapState.Authenticated or ImapState.Selected))
        {
            return (ImapResponseStatus.Bad, null, "Log in first");
        }

        if (!ImapFlags.Parse(message.Flags).Valid)
        {
            return (ImapResponseStatus.Bad, "CLIENTBUG", "Invalid flag");
        }

        if (message.Index == 0)
        {
            if (ImapMailboxName.IsUndecodable(message.Mailbox))
            {
                // RFC 3501 §5.1.3: a name that does not decode names no mailbox, and CREATE could not make it.
                return (ImapResponseStatus.No, "NONEXISTENT", "No such mailbox: " + replies.UndecodableNameText);
            }

            var status = await session.Account.CheckMailboxAsync(message.Mailbox, session.Stopping).ConfigureAwait(false);
            if (status.Error is { } error)
            {
                // RFC 9051 §6.3.12: a missing target gets [TRYCREATE]; a name no mailbox can have is [NONEXISTENT].
                var code = error.Code switch
                {
                    StoreErrorCode.NotFound => "TRYCREATE",
                    StoreErrorCode.InvalidName => "NONEXISTENT",

                    // RFC 5530: a store that cannot answer now is temporary, not a refusal of this mailbox.
                    StoreErrorCode.Unavailable or StoreErrorCode.InsufficientStorage => "UNAVAILABLE",
                    _ => "CANNOT",
                };
                return (ImapResponseStatus.No, code, error.Message);
            }
        }

        if (message.Size > Math.Min(services.Options.MaxAppendSize, services.Store.Limits.MaxMessageSize))
        {
            return (ImapResponseStatus.No, "TOOBIG", "Message exceeds APPENDLIMIT");
        }

        return null;
    }

    /// <summary>Takes back the messages of a MULTIAPPEND that failed part-way.</summary>
    private async Task UndoAsync(string mailbox)
    {
        if (_appended.Count == 0)
        {
            return;
        }

        var uids = UidSet.FromUids(_appended);
        _appended.Clear();
        var opened = await session.Account.OpenMailboxAsync(mailbox, examine: false, session.Stopping).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            return;
        }

        await using var view = opened.Value;
        await view.StoreFlagsAsync(uids, FlagOperation.Add, MessageFlags.Deleted, [], null, session.Stopping).ConfigureAwait(false);
        await view.ExpungeAsync(uids, session.Stopping).ConfigureAwait(false);
    }
}
