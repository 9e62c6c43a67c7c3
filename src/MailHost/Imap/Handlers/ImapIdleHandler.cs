using MailHost.Connections;
using MailHost.Protocols.Imap;
using MailHost.Sessions;

namespace MailHost.Imap.Handlers;

/// <summary>IDLE (RFC 2177, RFC 9051 §6.3.13): changes by other sessions are pushed as they happen until DONE.</summary>
internal sealed class ImapIdleHandler(ImapSessionState session, ImapServices services, IImapConnection connection, ImapMailboxUpdates updates)
{
    public async Task IdleAsync(IdleCommand command)
    {
        await updates.SendAsync(allowExpunge: true).ConfigureAwait(false);
        session.Writer.WriteContinuation("idling");
        await session.Output.FlushAsync().ConfigureAwait(false);

        // RFC 9051 §5.4: IDLE restarts the autologout timer.
        using var timeout = new CancellationTokenSource(services.Options.AuthenticatedIdleTimeout, services.TimeProvider);
        // RFC 9051 §7.1.5: an idling client is waiting for the server, so the stop ends IDLE with BYE at once.
        using var stop = session.StopRequested.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), timeout);
        var done = connection.ReadIdleDoneAsync(command.Tag, timeout.Token);
        while (true)
        {
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
            var changed = session.Selected is { } selected
                ? selected.View.WaitForChangesAsync(waiting.Token).AsTask()
                : Task.Delay(Timeout.InfiniteTimeSpan, services.TimeProvider, waiting.Token);
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

            await updates.SendAsync(allowExpunge: true).ConfigureAwait(false);
            await session.Output.FlushAsync().ConfigureAwait(false);
            if (session.State == ImapState.Logout)
            {
                return;
            }
        }

        var (outcome, error) = await done.ConfigureAwait(false);
        switch (outcome)
        {
            case ImapLineOutcome.Line:
                await updates.SendAsync(allowExpunge: true).ConfigureAwait(false);
                session.Writer.WriteTagged(command.Tag, ImapResponseStatus.Ok, null, "IDLE terminated");
                break;
            case ImapLineOutcome.Error:
                session.Writer.WriteError(error!);
                if (error!.Resync == ImapResync.Close)
                {
                    session.LogOut();
                }

                break;
            case ImapLineOutcome.TimedOut:
                session.Writer.WriteUntagged(ImapResponseStatus.Bye, null, "Autologout; idle for too long");
                ImapLog.Closing(services.Logger, "idle timeout");
                MailHostMetrics.TimedOut(session.Connection, MailHostMetrics.IdleReason);
                session.LogOut();
                break;
            case ImapLineOutcome.Stopping:
                session.Writer.WriteUntagged(ImapResponseStatus.Bye, "UNAVAILABLE", "Server shutting down");
                ImapLog.Closing(services.Logger, "server shutting down");
                connection.RecordShutdown(MailShutdownOutcome.Idle);
                session.LogOut();
                break;
            default:
                session.LogOut();
                break;
        }
    }
}
