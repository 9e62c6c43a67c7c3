using System.Globalization;
using System.Text;
using MailHost.Protocols.Imap;
using MailHost.Storage;

namespace MailHost.Imap;

/// <summary>APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502), UIDPLUS APPENDUID (RFC 4315) and APPENDLIMIT (RFC 7889).</summary>
internal sealed partial class ImapSession
{
    // The command being appended: its stored messages and the first failure, until the command ends.
    private readonly List<uint> _appended = [];
    private uint _appendedUidValidity;
    private StoreError? _appendError;

    /// <summary>
    /// One APPEND message literal is next on the wire: check, ask for it when synchronizing, stream it to the store.
    /// Returns false when the connection ended.
    /// </summary>
    private async Task<bool> AppendLiteralAsync(ImapAppendMessage message, CancellationToken readToken)
    {
        if (message.Index == 0)
        {
            _appended.Clear();
            _appendError = null;
        }

        var refusal = await CheckAppendAsync(message).ConfigureAwait(false);
        if (refusal is not null || _appendError is not null)
        {
            // SECURITY C3: a refused non-synchronizing literal is read and dropped by the parser, never run. The
            // command ends here, so does its trace: the next command is traced (and redacted) on its own.
            _parser.RejectLiteral();
            FlushTrace();
            await UndoAppendAsync(message.Mailbox).ConfigureAwait(false);
            if (refusal is { } r)
            {
                _writer.WriteTagged(message.Tag, r.Status, r.Code, r.Text);
            }
            else
            {
                WriteStoreError(message.Tag, _appendError!, tryCreate: true);
            }

            _appendError = null;
            _appended.Clear();
            return true;
        }

        if (message.IsSynchronizing)
        {
            _writer.WriteContinuation("Ready for literal data");
            await _output.FlushAsync().ConfigureAwait(false);
        }

        var (flags, keywords, _) = ParseFlags(message.Flags);
        var literal = new ImapLiteralStream(_input, message.Size, readToken);
        _trace.ReceivedPayload(message.Size, "APPEND message");
        // RFC 3516 §4.4: a literal8 may carry NUL, which no BODY[] literal can; such parts are stored base64-encoded.
        var options = new AppendOptions(flags, keywords, message.InternalDate) { EncodeNulParts = message.IsBinary };
        var result = await Account.AppendAsync(message.Mailbox, literal, options, _stopping).ConfigureAwait(false);
        await literal.DrainAsync().ConfigureAwait(false);
        _parser.CompleteAppendLiteral();
        if (result.IsSuccess)
        {
            _appended.Add(result.Value.Uid);
            _appendedUidValidity = result.Value.UidValidity;
        }
        else
        {
            _appendError = result.Error;
        }

        return true;
    }

    /// <summary>Refuses an APPEND message before its data is sent (RFC 7889 §4: before any continuation).</summary>
    private async Task<(ImapResponseStatus Status, string? Code, string Text)?> CheckAppendAsync(ImapAppendMessage message)
    {
        if (_state is not (ImapState.Authenticated or ImapState.Selected))
        {
            return (ImapResponseStatus.Bad, null, "Log in first");
        }

        if (!ParseFlags(message.Flags).Valid)
        {
            return (ImapResponseStatus.Bad, "CLIENTBUG", "Invalid flag");
        }

        if (message.Index == 0)
        {
            if (ImapMailboxName.IsUndecodable(message.Mailbox))
            {
                // RFC 3501 §5.1.3: a name that does not decode names no mailbox, and CREATE could not make it.
                return (ImapResponseStatus.No, "NONEXISTENT", "No such mailbox: " + UndecodableNameText);
            }

            var status = await Account.GetStatusAsync(message.Mailbox, _stopping).ConfigureAwait(false);
            if (!status.IsSuccess)
            {
                // RFC 9051 §6.3.12: a missing target gets [TRYCREATE]; a name no mailbox can have is [NONEXISTENT].
                var code = status.Error.Code switch
                {
                    StoreErrorCode.NotFound => "TRYCREATE",
                    StoreErrorCode.InvalidName => "NONEXISTENT",
                    _ => "CANNOT",
                };
                return (ImapResponseStatus.No, code, status.Error.Message);
            }
        }

        if (message.Size > Math.Min(_options.MaxAppendSize, _store.Limits.MaxMessageSize))
        {
            return (ImapResponseStatus.No, "TOOBIG", "Message exceeds APPENDLIMIT");
        }

        return null;
    }

    private async Task AppendDoneAsync(AppendCommand command)
    {
        if (_appendError is not null)
        {
            // RFC 3502 §6.3.11: MULTIAPPEND is all or nothing.
            await UndoAppendAsync(command.Mailbox).ConfigureAwait(false);
            WriteStoreError(command.Tag, _appendError, tryCreate: true);
            _appendError = null;
            return;
        }

        var uids = UidSet.FromUids(_appended);
        _appended.Clear();
        await SendUpdatesAsync(allowExpunge: true).ConfigureAwait(false);

        // RFC 4315 §3: [APPENDUID uidvalidity uid-set].
        _writer.WriteTagged(
            command.Tag,
            ImapResponseStatus.Ok,
            "APPENDUID " + _appendedUidValidity.ToString(CultureInfo.InvariantCulture) + " " + uids,
            "APPEND completed");
    }

    /// <summary>Takes back the messages of a MULTIAPPEND that failed part-way.</summary>
    private async Task UndoAppendAsync(string mailbox)
    {
        if (_appended.Count == 0)
        {
            return;
        }

        var uids = UidSet.FromUids(_appended);
        _appended.Clear();
        var opened = await Account.OpenMailboxAsync(mailbox, examine: false, _stopping).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            return;
        }

        await using var view = opened.Value;
        await view.StoreFlagsAsync(uids, FlagOperation.Add, MessageFlags.Deleted, [], null, _stopping).ConfigureAwait(false);
        await view.ExpungeAsync(uids, _stopping).ConfigureAwait(false);
    }

    /// <summary>Splits IMAP flags into system flags and keywords; <c>\Recent</c> is ignored (RFC 9051 dropped it).</summary>
    private static (MessageFlags Flags, List<string> Keywords, bool Valid) ParseFlags(IReadOnlyList<string> flags)
    {
        var system = MessageFlags.None;
        var keywords = new List<string>();
        bool valid = true;
        foreach (var flag in flags)
        {
            if (flag.StartsWith('\\'))
            {
                switch (flag.ToUpperInvariant())
                {
                    case "\\SEEN": system |= MessageFlags.Seen; break;
                    case "\\ANSWERED": system |= MessageFlags.Answered; break;
                    case "\\FLAGGED": system |= MessageFlags.Flagged; break;
                    case "\\DELETED": system |= MessageFlags.Deleted; break;
                    case "\\DRAFT": system |= MessageFlags.Draft; break;
                    case "\\RECENT": break;
                    default: valid = false; break;
                }
            }
            else if (MessageKeyword.IsValid(flag))
            {
                keywords.Add(flag);
            }
            else
            {
                valid = false;
            }
        }

        return (system, keywords, valid);
    }

    // The five system flags in every combination, in FlagNames' order and wire form: "\Seen \Answered", ...
    private static readonly byte[][] SystemFlagText = [.. Enumerable.Range(0, 32).Select(bits => Encoding.ASCII.GetBytes(string.Join(' ', FlagNames((MessageFlags)bits, []))))];

    // The same with \Recent last, for the messages recent in an IMAP4rev1 session (RFC 3501 §2.3.2).
    private static readonly byte[][] RecentFlagText = [.. SystemFlagText.Select(text => text.Length == 0 ? "\\Recent"u8.ToArray() : [.. text, .. " \\Recent"u8])];

    /// <summary>The system flags of a message as FLAGS spells them, with \Recent when this session holds it.</summary>
    private byte[] SystemFlags(uint uid, MessageFlags flags)
    {
        bool recent = _selected is { } selected && selected.Messages.IsRecent(uid);
        return (recent ? RecentFlagText : SystemFlagText)[(int)flags & 31];
    }

    private static List<string> FlagNames(MessageFlags flags, IReadOnlyList<string> keywords)
    {
        var names = new List<string>(5 + keywords.Count);
        if ((flags & MessageFlags.Seen) != 0)
        {
            names.Add("\\Seen");
        }

        if ((flags & MessageFlags.Answered) != 0)
        {
            names.Add("\\Answered");
        }

        if ((flags & MessageFlags.Flagged) != 0)
        {
            names.Add("\\Flagged");
        }

        if ((flags & MessageFlags.Deleted) != 0)
        {
            names.Add("\\Deleted");
        }

        if ((flags & MessageFlags.Draft) != 0)
        {
            names.Add("\\Draft");
        }

        names.AddRange(keywords);
        return names;
    }
}
