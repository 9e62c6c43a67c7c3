using System.Buffers;
using System.IO.Pipelines;
using MailHost.Protocols.Imap;

namespace MailHost.Imap;

/// <summary>IDLE (RFC 2177, RFC 9051 §6.3.13): changes by other sessions are pushed as they happen until DONE.</summary>
internal sealed partial class ImapSession
{
    /// <summary>The capabilities of implemented extensions, in the order advertised.</summary>
    private List<string> Extensions
    {
        get
        {
            List<string> list =
            [
                "LITERAL+", "ENABLE", "ID", "IDLE", "NAMESPACE", "UNSELECT", "UIDPLUS", "MOVE", "CHILDREN",
                "LIST-EXTENDED", "LIST-STATUS", "SPECIAL-USE", "CREATE-SPECIAL-USE", "STATUS=SIZE", "MULTIAPPEND",
                "APPENDLIMIT=" + _options.MaxAppendSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "ESEARCH", "SEARCHRES", "CONDSTORE", "QRESYNC", "WITHIN", "SAVEDATE", "OBJECTID", "PREVIEW", "BINARY",
                "SORT", "ESORT", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "UTF8=ACCEPT",
            ];
            if (!_compressed)
            {
                list.Add("COMPRESS=DEFLATE");
            }

            if (_account is Storage.IMailAccountQuota)
            {
                list.AddRange(["QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE"]);
            }

            return list;
        }
    }

    private async Task IdleAsync(IdleCommand command)
    {
        await SendUpdatesAsync(allowExpunge: true).ConfigureAwait(false);
        _writer.WriteContinuation("idling");
        await _output.FlushAsync().ConfigureAwait(false);

        // RFC 9051 §5.4: IDLE restarts the autologout timer.
        using var timeout = new CancellationTokenSource(_options.AuthenticatedIdleTimeout, _timeProvider);
        using var stop = _stopping.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout);
        var done = ReadIdleDoneAsync(command.Tag, timeout.Token);
        while (true)
        {
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
            var changed = _selected is { } selected
                ? selected.View.WaitForChangesAsync(waiting.Token).AsTask()
                : Task.Delay(Timeout.InfiniteTimeSpan, _timeProvider, waiting.Token);
            var first = await Task.WhenAny(done, changed).ConfigureAwait(false);
            if (first == done)
            {
                await waiting.CancelAsync().ConfigureAwait(false);
                try
                {
                    await changed.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The wait was only ended.
                }

                break;
            }

            if (changed.IsCanceled || changed.IsFaulted)
            {
                // Timed out or stopping: the read of DONE ends the same way; its outcome decides below.
                await done.ConfigureAwait(false);
                break;
            }

            await SendUpdatesAsync(allowExpunge: true).ConfigureAwait(false);
            await _output.FlushAsync().ConfigureAwait(false);
            if (_state == ImapState.Logout)
            {
                return;
            }
        }

        var (outcome, error) = await done.ConfigureAwait(false);
        switch (outcome)
        {
            case ReadOutcome.Command:
                await SendUpdatesAsync(allowExpunge: true).ConfigureAwait(false);
                _writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "IDLE terminated");
                break;
            case ReadOutcome.Error:
                _writer.WriteError(error!);
                if (error!.Resync == ImapResync.Close)
                {
                    _state = ImapState.Logout;
                }

                break;
            case ReadOutcome.TimedOut:
                _writer.WriteUntagged(ImapResponseStatus.Bye, null, "Autologout; idle for too long");
                ImapLog.Closing(_logger, "idle timeout");
                Connections.MailHostMetrics.TimedOut(_info, Connections.MailHostMetrics.IdleReason);
                _state = ImapState.Logout;
                break;
            case ReadOutcome.Stopping:
                _writer.WriteUntagged(ImapResponseStatus.Bye, "UNAVAILABLE", "Server shutting down");
                ImapLog.Closing(_logger, "server shutting down");
                _state = ImapState.Logout;
                break;
            default:
                _state = ImapState.Logout;
                break;
        }
    }

    /// <summary>Reads the DONE line; never flushes (the IDLE loop owns the output meanwhile).</summary>
    private async Task<(ReadOutcome Outcome, ImapParseError? Error)> ReadIdleDoneAsync(string tag, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return (_stopping.IsCancellationRequested ? ReadOutcome.Stopping : ReadOutcome.TimedOut, null);
            }

            var buffer = result.Buffer;
            var reader = new SequenceReader<byte>(buffer);
            var status = ImapCommandParser.TryParseIdleDone(ref reader, tag, out var error);
            if (status == ImapParseStatus.Incomplete)
            {
                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return (ReadOutcome.Closed, null);
                }

                continue;
            }

            _trace.Received(buffer.Slice(0, reader.Position).ToArray());
            _input.AdvanceTo(reader.Position);
            _examinedAll = false;
            return status == ImapParseStatus.Complete ? (ReadOutcome.Command, null) : (ReadOutcome.Error, error);
        }
    }
}
