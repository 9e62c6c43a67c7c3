namespace MailHost.LoadTest;

/// <summary>
/// IMAP: a realistic mix on INBOX (flags and headers of all messages, one whole body, a flag change, an APPEND,
/// NOOP, an EXPUNGE now and then), either staying logged in or logging in again every few commands.
/// </summary>
internal sealed class ImapLoad(LoadOptions options) : LoadRun(options)
{
    private static readonly string[] Mix = ["FETCH-FLAGS", "FETCH-HEADERS", "FETCH-BODY", "STORE", "APPEND", "NOOP", "FETCH-FLAGS", "EXPUNGE"];

    protected override async Task SessionAsync(int client, CancellationToken deadline)
    {
        LineConnection? c = null;
        if (!await MeasureAsync("login", async () => (c = await ImapProtocol.ConnectAndLoginAsync(Target, client, deadline).ConfigureAwait(false)) is not null).ConfigureAwait(false))
        {
            return;
        }

        await using var connection = c!;
        var exists = 0;
        if (!await MeasureAsync("SELECT", async () =>
            {
                var (ok, untagged) = await ImapProtocol.CommandAsync(connection, "SELECT INBOX", deadline).ConfigureAwait(false);
                exists = untagged.Select(ImapProtocol.ParseExists).FirstOrDefault(n => n >= 0);
                return ok;
            }).ConfigureAwait(false))
        {
            return;
        }

        var commands = 0;
        var step = client;
        while (KeepGoing(deadline) && (Options.LoginEvery == 0 || commands < Options.LoginEvery))
        {
            var kind = Mix[step++ % Mix.Length];
            commands++;
            await MeasureAsync(kind, async () =>
            {
                var (ok, untagged) = kind switch
                {
                    "FETCH-FLAGS" => await ImapProtocol.CommandAsync(connection, exists > 0 ? "FETCH 1:* (UID FLAGS)" : "NOOP", deadline).ConfigureAwait(false),
                    "FETCH-HEADERS" => await ImapProtocol.CommandAsync(connection, exists > 0 ? $"FETCH {Math.Max(1, exists - 19)}:* (UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE)])" : "NOOP", deadline).ConfigureAwait(false),
                    "FETCH-BODY" => await ImapProtocol.CommandAsync(connection, exists > 0 ? $"FETCH {exists} BODY.PEEK[]" : "NOOP", deadline).ConfigureAwait(false),
                    "STORE" => await ImapProtocol.CommandAsync(connection, exists > 0 ? $"STORE {exists} +FLAGS (\\Seen)" : "NOOP", deadline).ConfigureAwait(false),
                    "APPEND" => await ImapProtocol.CommandAsync(connection, "APPEND INBOX (\\Seen)", deadline, BuildMessage(Options, Options.User(client), step)).ConfigureAwait(false),
                    "EXPUNGE" => await ExpungeOldestAsync(connection, exists, deadline).ConfigureAwait(false),
                    _ => await ImapProtocol.CommandAsync(connection, "NOOP", deadline).ConfigureAwait(false),
                };
                foreach (var line in untagged)
                {
                    if (ImapProtocol.ParseExists(line) is var n and >= 0)
                    {
                        exists = n;
                    }
                    else if (line.EndsWith(" EXPUNGE", StringComparison.Ordinal))
                    {
                        exists--;
                    }
                }

                return ok;
            }).ConfigureAwait(false);
        }

        await ImapProtocol.CommandAsync(connection, "LOGOUT", deadline).ConfigureAwait(false);
    }

    /// <summary>Flags the oldest message deleted and expunges it, so APPENDs do not grow the mailbox without end.</summary>
    private static async Task<(bool Ok, List<string> Untagged)> ExpungeOldestAsync(LineConnection connection, int exists, CancellationToken ct)
    {
        if (exists < 50)
        {
            return await ImapProtocol.CommandAsync(connection, "NOOP", ct).ConfigureAwait(false);
        }

        var (ok, untagged) = await ImapProtocol.CommandAsync(connection, "STORE 1 +FLAGS.SILENT (\\Deleted)", ct).ConfigureAwait(false);
        var expunge = await ImapProtocol.CommandAsync(connection, "EXPUNGE", ct).ConfigureAwait(false);
        untagged.AddRange(expunge.Untagged);
        return (ok && expunge.Ok, untagged);
    }
}
