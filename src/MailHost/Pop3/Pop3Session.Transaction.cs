using System.Buffers;
using System.Globalization;
using MailHost.Protocols.Pop3;
using MailHost.Protocols.Text;
using MailHost.Storage;

namespace MailHost.Pop3;

/// <summary>The TRANSACTION and UPDATE states (RFC 1939 §5, §6, §7).</summary>
internal sealed partial class Pop3Session
{
    private const int ContentChunk = 64 * 1024;

    private async Task TransactionAsync(Maildrop maildrop)
    {
        while (true)
        {
            await FlushAsync().ConfigureAwait(false);
            var (status, command, error) = await ReadCommandAsync(_services.Options.AuthenticatedIdleTimeout).ConfigureAwait(false);
            if (await EndOnReadStatusAsync(status).ConfigureAwait(false))
            {
                // RFC 1939 §6: without QUIT there is no UPDATE state; the marks are forgotten.
                return;
            }

            var close = command switch
            {
                null => await BadCommandAsync(error!).ConfigureAwait(false),
                StatCommand => await ContinueAfterAsync(ReplyAsync(string.Create(CultureInfo.InvariantCulture, $"+OK {maildrop.Count} {maildrop.TotalSize}"))).ConfigureAwait(false),
                ListCommand list => await ListAsync(maildrop, list.MessageNumber, uidl: false).ConfigureAwait(false),
                UidlCommand uidl => await ListAsync(maildrop, uidl.MessageNumber, uidl: true).ConfigureAwait(false),
                RetrCommand retr => await RetrieveAsync(maildrop, retr.MessageNumber, topLines: null).ConfigureAwait(false),
                TopCommand top => await RetrieveAsync(maildrop, top.MessageNumber, top.LineCount).ConfigureAwait(false),
                DeleCommand dele => await DeleteAsync(maildrop, dele.MessageNumber).ConfigureAwait(false),
                NoopCommand => await ContinueAfterAsync(ReplyAsync("+OK")).ConfigureAwait(false),
                RsetCommand => await ResetAsync(maildrop).ConfigureAwait(false),
                CapaCommand => await ContinueAfterAsync(new ValueTask(CapaAsync())).ConfigureAwait(false),
                QuitCommand => await UpdateAsync(maildrop).ConfigureAwait(false),
                UserCommand or PassCommand or AuthCommand or ApopCommand or StlsCommand or Utf8Command => await BadCommandAsync("-ERR Already logged in").ConfigureAwait(false),
                _ => await BadCommandAsync("-ERR Unknown command").ConfigureAwait(false),
            };
            if (close)
            {
                await FlushAsync().ConfigureAwait(false);
                return;
            }
        }
    }

    /// <summary>Runs a reply that never ends the session.</summary>
    private static async ValueTask<bool> ContinueAfterAsync(ValueTask reply)
    {
        await reply.ConfigureAwait(false);
        return false;
    }

    /// <summary>The message numbered <paramref name="number"/>; null (after an -ERR) when there is none or it is deleted.</summary>
    private async ValueTask<MessageData?> ResolveAsync(Maildrop maildrop, int number)
    {
        var message = maildrop.Get(number);
        if (message is null)
        {
            await ReplyAsync(maildrop.IsDeleted(number) ? "-ERR Message is deleted" : "-ERR No such message").ConfigureAwait(false);
        }

        return message;
    }

    private async ValueTask<bool> ListAsync(Maildrop maildrop, int? single, bool uidl)
    {
        if (single is int number)
        {
            var message = await ResolveAsync(maildrop, number).ConfigureAwait(false);
            if (message is not null)
            {
                await ReplyAsync(string.Create(CultureInfo.InvariantCulture, $"+OK {number} {(uidl ? maildrop.UniqueId(message) : message.Size)}")).ConfigureAwait(false);
            }

            return false;
        }

        await ReplyAsync(uidl ? "+OK Unique ids follow" : string.Create(CultureInfo.InvariantCulture, $"+OK {maildrop.Count} messages ({maildrop.TotalSize} octets)")).ConfigureAwait(false);
        for (var n = 1; n <= maildrop.Highest; n++)
        {
            if (maildrop.Get(n) is { } message)
            {
                await ReplyAsync(string.Create(CultureInfo.InvariantCulture, $"{n} {(uidl ? maildrop.UniqueId(message) : message.Size)}")).ConfigureAwait(false);
            }
        }

        await ReplyAsync(".").ConfigureAwait(false);
        return false;
    }

    private async ValueTask<bool> RetrieveAsync(Maildrop maildrop, int number, int? topLines)
    {
        var top = topLines is not null;
        var message = await ResolveAsync(maildrop, number).ConfigureAwait(false);
        if (message is null)
        {
            return false;
        }

        var content = await message.Content.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        if (content is null)
        {
            // Expunged by an IMAP session since login: RFC 3206 §4 SYS/TEMP would invite a retry that cannot succeed.
            await ReplyAsync("-ERR Message is no longer available").ConfigureAwait(false);
            return false;
        }

        await using (content.ConfigureAwait(false))
        {
            await ReplyAsync(top ? "+OK Top of message follows" : string.Create(CultureInfo.InvariantCulture, $"+OK {message.Size} octets")).ConfigureAwait(false);
            var stuffer = new DotStuffer(new DotStufferOptions
            {
                NulReplacement = _replaceNulBytes ? (byte)' ' : null,
                TopBodyLines = topLines,
            });

            // The stored bytes stream through the stuffer into the pipe; no message is held in memory.
            var buffer = ArrayPool<byte>.Shared.Rent(ContentChunk);
            long sent = 0;
            try
            {
                while (true)
                {
                    var read = await content.ReadAsync(buffer.AsMemory(0, ContentChunk)).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    sent += read;
                    var status = stuffer.Write(buffer.AsSpan(0, read), _connection.Output);
                    await FlushAsync().ConfigureAwait(false);
                    if (status == DotStuffStatus.Done)
                    {
                        break;
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            stuffer.Complete(_connection.Output);
            _connection.Trace.SentPayload(sent, top ? "message top" : "message");
        }

        return false;
    }

    private async ValueTask<bool> DeleteAsync(Maildrop maildrop, int number)
    {
        if (await ResolveAsync(maildrop, number).ConfigureAwait(false) is not null)
        {
            maildrop.MarkDeleted(number);
            await ReplyAsync(string.Create(CultureInfo.InvariantCulture, $"+OK Message {number} deleted")).ConfigureAwait(false);
        }

        return false;
    }

    private async ValueTask<bool> ResetAsync(Maildrop maildrop)
    {
        maildrop.ResetDeleted();
        await ReplyAsync(string.Create(CultureInfo.InvariantCulture, $"+OK {maildrop.Count} messages ({maildrop.TotalSize} octets)")).ConfigureAwait(false);
        return false;
    }

    /// <summary>QUIT in TRANSACTION: the UPDATE state removes the marked messages, then the session ends.</summary>
    private async ValueTask<bool> UpdateAsync(Maildrop maildrop)
    {
        var result = await maildrop.CommitDeletionsAsync(CancellationToken.None).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            Pop3Log.UpdateFailed(_logger, maildrop.AccountName, result.Error.Message);

            // RFC 1939 §6: "-ERR some deleted messages not removed"; RFC 3206 SYS/TEMP: it may work later.
            await ReplyAsync("-ERR [SYS/TEMP] Some deleted messages not removed").ConfigureAwait(false);
            return true;
        }

        if (result.Value > 0)
        {
            Pop3Log.Updated(_logger, maildrop.AccountName, result.Value);
        }

        await ReplyAsync(string.Create(CultureInfo.InvariantCulture, $"+OK MailHost POP3 server signing off ({maildrop.Count} messages left)")).ConfigureAwait(false);
        return true;
    }
}
