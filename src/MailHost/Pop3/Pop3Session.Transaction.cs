using System.Buffers;
using System.Globalization;
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
            await _output.FlushAsync().ConfigureAwait(false);
            var (status, line) = await ReadLineAsync(MaxCommandLine, _options.AuthenticatedIdleTimeout).ConfigureAwait(false);
            if (await EndOnLineStatusAsync(status).ConfigureAwait(false))
            {
                // RFC 1939 §6: without QUIT there is no UPDATE state; the marks are forgotten.
                return;
            }

            var (verb, argument) = Split(line);
            var close = verb switch
            {
                "STAT" => await ContinueAfterAsync(ReplyAsync(string.Create(CultureInfo.InvariantCulture, $"+OK {maildrop.Count} {maildrop.TotalSize}"))).ConfigureAwait(false),
                "LIST" => await ListAsync(maildrop, argument, uidl: false).ConfigureAwait(false),
                "UIDL" => await ListAsync(maildrop, argument, uidl: true).ConfigureAwait(false),
                "RETR" => await RetrieveAsync(maildrop, argument, top: false).ConfigureAwait(false),
                "TOP" => await RetrieveAsync(maildrop, argument, top: true).ConfigureAwait(false),
                "DELE" => await DeleteAsync(maildrop, argument).ConfigureAwait(false),
                "NOOP" => await ContinueAfterAsync(ReplyAsync("+OK")).ConfigureAwait(false),
                "RSET" => await ResetAsync(maildrop).ConfigureAwait(false),
                "CAPA" => await ContinueAfterAsync(new ValueTask(CapaAsync())).ConfigureAwait(false),
                "QUIT" => await UpdateAsync(maildrop).ConfigureAwait(false),
                "USER" or "PASS" or "AUTH" or "APOP" or "STLS" or "UTF8" => await BadCommandAsync("-ERR Already logged in").ConfigureAwait(false),
                _ => await BadCommandAsync("-ERR Unknown command").ConfigureAwait(false),
            };
            if (close)
            {
                await _output.FlushAsync().ConfigureAwait(false);
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

    /// <summary>Parses a message number; null (after an -ERR) when it is missing, malformed or deleted.</summary>
    private async ValueTask<(MessageData? Message, int Number, bool Close)> ResolveAsync(Maildrop maildrop, string text)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
        {
            return (null, 0, await BadCommandAsync("-ERR Invalid message number").ConfigureAwait(false));
        }

        var message = maildrop.Get(number);
        if (message is null)
        {
            await ReplyAsync(maildrop.IsDeleted(number) ? "-ERR Message is deleted" : "-ERR No such message").ConfigureAwait(false);
        }

        return (message, number, false);
    }

    private async ValueTask<bool> ListAsync(Maildrop maildrop, string argument, bool uidl)
    {
        if (argument.Length > 0)
        {
            var (message, number, close) = await ResolveAsync(maildrop, argument).ConfigureAwait(false);
            if (message is not null)
            {
                await ReplyAsync(string.Create(CultureInfo.InvariantCulture, $"+OK {number} {(uidl ? maildrop.UniqueId(message) : message.Size)}")).ConfigureAwait(false);
            }

            return close;
        }

        await ReplyAsync(uidl ? "+OK Unique ids follow" : string.Create(CultureInfo.InvariantCulture, $"+OK {maildrop.Count} messages ({maildrop.TotalSize} octets)")).ConfigureAwait(false);
        for (var number = 1; number <= maildrop.Highest; number++)
        {
            if (maildrop.Get(number) is { } message)
            {
                await ReplyAsync(string.Create(CultureInfo.InvariantCulture, $"{number} {(uidl ? maildrop.UniqueId(message) : message.Size)}")).ConfigureAwait(false);
            }
        }

        await ReplyAsync(".").ConfigureAwait(false);
        return false;
    }

    private async ValueTask<bool> RetrieveAsync(Maildrop maildrop, string argument, bool top)
    {
        var parts = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int lines = 0;
        if (parts.Length != (top ? 2 : 1)
            || (top && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out lines) || lines < 0)))
        {
            return await BadCommandAsync(top ? "-ERR Usage: TOP msg lines" : "-ERR Usage: RETR msg").ConfigureAwait(false);
        }

        var (message, _, close) = await ResolveAsync(maildrop, parts[0]).ConfigureAwait(false);
        if (message is null)
        {
            return close;
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
                NulReplacement = _options.ReplaceNulBytes ? (byte)' ' : null,
                TopBodyLines = top ? lines : null,
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
                    var status = stuffer.Write(buffer.AsSpan(0, read), _output);
                    await _output.FlushAsync().ConfigureAwait(false);
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

            stuffer.Complete(_output);
            _trace.SentPayload(sent, top ? "message top" : "message");
        }

        return false;
    }

    private async ValueTask<bool> DeleteAsync(Maildrop maildrop, string argument)
    {
        var (message, number, close) = await ResolveAsync(maildrop, argument).ConfigureAwait(false);
        if (message is not null)
        {
            maildrop.MarkDeleted(number);
            await ReplyAsync(string.Create(CultureInfo.InvariantCulture, $"+OK Message {number} deleted")).ConfigureAwait(false);
        }

        return close;
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
