using System.Globalization;

namespace MailHost.LoadTest;

/// <summary>
/// IMAP, write-heavy: every session stays logged in to its account and repeats one cycle, alternating between INBOX
/// and a second mailbox (<see cref="Archive"/>, created and seeded at set-up): SELECT, LIST, STATUS of the other
/// mailbox, FETCH of flags, envelopes and header fields over the last 20 messages, FETCH of three whole bodies, STORE
/// of flags and keywords over the last 10, STORE <c>\Deleted</c> on the oldest and EXPUNGE, APPEND, and COPY of three
/// messages to the other mailbox. Any tagged NO or BAD and any untagged BYE is a protocol error; the first few are
/// printed with the command that drew them.
/// </summary>
/// <remarks>
/// The cycle neither drains nor grows the mailboxes: each one keeps the size it had at its first SELECT in the session
/// (at least <see cref="SmallestTarget"/>), since the cycle expunges from the selected mailbox as many messages as the
/// APPEND and the other mailbox's COPYs brought in beyond that size, and never fewer than two. Sessions beyond the
/// number of accounts share accounts, and then one session's EXPUNGE can reach another's commands between two of them,
/// which this client does not expect: keep <c>--clients</c> at most <c>--users</c>.
/// </remarks>
internal sealed class ImapWriteLoad(LoadOptions options) : LoadRun(options)
{
    /// <summary>The second mailbox of every account, the target of the COPYs.</summary>
    private const string Archive = "Archive";

    private const int SmallestTarget = 20;
    private const int ErrorLinesKept = 10;
    private const int ArchiveSeed = 100;

    private static readonly HashSet<string> SetUp = new(["login", "setup", "session"], StringComparer.Ordinal);
    private readonly Lock _errorsLock = new();
    private readonly List<string> _errorLines = [];
    private long _protocolErrors;

    protected override IReadOnlySet<string>? NotInTotal => SetUp;

    protected override async Task SessionAsync(int client, CancellationToken deadline)
    {
        LineConnection? c = null;
        if (!await MeasureAsync("login", async () => (c = await ImapProtocol.ConnectAndLoginAsync(Target, client, deadline).ConfigureAwait(false)) is not null).ConfigureAwait(false))
        {
            Error("login", $"LOGIN {Options.User(client)}", "rejected");
            return;
        }

        await using var connection = c!;
        var session = new Session(connection);
        if (!await MeasureAsync("setup", () => SetUpAsync(session, deadline)).ConfigureAwait(false))
        {
            return;
        }

        var targets = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var cycle = 0; KeepGoing(deadline); cycle++)
        {
            var mailbox = cycle % 2 == 0 ? "INBOX" : Archive;
            var other = cycle % 2 == 0 ? Archive : "INBOX";
            if (!await CommandAsync(session, "SELECT", $"SELECT {mailbox}", deadline).ConfigureAwait(false))
            {
                continue;
            }

            var exists = session.Exists;
            var target = targets.TryGetValue(mailbox, out var t) ? t : targets[mailbox] = Math.Max(SmallestTarget, exists);
            await CommandAsync(session, "LIST", "LIST \"\" \"*\"", deadline).ConfigureAwait(false);
            await CommandAsync(session, "STATUS", $"STATUS {other} (MESSAGES UIDNEXT UNSEEN)", deadline).ConfigureAwait(false);
            if (exists > 0)
            {
                var last20 = Range(Math.Max(1, exists - 19), exists);
                await CommandAsync(session, "FETCH-HEADERS", $"FETCH {last20} (UID FLAGS ENVELOPE BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)])", deadline).ConfigureAwait(false);
                var bodies = string.Join(',', new[] { exists, Math.Max(1, exists / 2), Math.Max(1, exists - 7) }.Distinct().Order());
                await CommandAsync(session, "FETCH-BODY", $"FETCH {bodies} BODY.PEEK[]", deadline).ConfigureAwait(false);

                // Set, then clear, a flag and a keyword over the last 10, so the flags of a mailbox stay bounded too.
                var change = cycle % 4 < 2 ? "+FLAGS" : "-FLAGS";
                await CommandAsync(session, "STORE", $"STORE {Range(Math.Max(1, exists - 9), exists)} {change} (\\Flagged $Work)", deadline).ConfigureAwait(false);
            }

            // What came in since the last visit (this session's APPEND and the other mailbox's COPYs) goes again.
            var expunge = Math.Min(Math.Clamp(exists + 1 - target, 2, 10), session.Exists - SmallestTarget / 2);
            if (expunge > 0)
            {
                await CommandAsync(session, "STORE-DELETED", $"STORE {Range(1, expunge)} +FLAGS.SILENT (\\Deleted)", deadline).ConfigureAwait(false);
                await CommandAsync(session, "EXPUNGE", "EXPUNGE", deadline).ConfigureAwait(false);
            }

            var message = BuildMessage(Options, Options.User(client), cycle);
            await CommandAsync(session, "APPEND", $"APPEND {mailbox} (\\Seen)", deadline, message).ConfigureAwait(false);
            if (session.Exists >= 3)
            {
                await CommandAsync(session, "COPY", $"COPY {Range(session.Exists - 2, session.Exists)} {other}", deadline).ConfigureAwait(false);
            }
        }

        await ImapProtocol.CommandAsync(connection, "LOGOUT", deadline).ConfigureAwait(false);
    }

    protected override Task FinishAsync()
    {
        Notes.Add(string.Create(CultureInfo.InvariantCulture, $"protocol errors: {Interlocked.Read(ref _protocolErrors)}"));
        lock (_errorsLock)
        {
            Notes.AddRange(_errorLines.Select(l => "  " + l));
        }

        return Task.CompletedTask;
    }

    /// <summary>Creates <see cref="Archive"/> when the account has none and seeds it from INBOX when nearly empty.</summary>
    private async Task<bool> SetUpAsync(Session session, CancellationToken ct)
    {
        var list = await ImapProtocol.ExchangeAsync(session.Connection, $"LIST \"\" {Archive}", ct).ConfigureAwait(false);
        if (!Check("setup", $"LIST \"\" {Archive}", list))
        {
            return false;
        }

        if (!list.Untagged.Exists(l => l.StartsWith("* LIST", StringComparison.OrdinalIgnoreCase)))
        {
            // Two sessions of one account may both find it missing: the loser's [ALREADYEXISTS] (RFC 5530) is fine.
            var create = await ImapProtocol.ExchangeAsync(session.Connection, $"CREATE {Archive}", ct).ConfigureAwait(false);
            if (!create.Ok && !create.Tagged.Contains("[ALREADYEXISTS]", StringComparison.OrdinalIgnoreCase) && !Check("setup", $"CREATE {Archive}", create))
            {
                return false;
            }
        }

        var status = await ImapProtocol.ExchangeAsync(session.Connection, $"STATUS {Archive} (MESSAGES)", ct).ConfigureAwait(false);
        if (!Check("setup", $"STATUS {Archive} (MESSAGES)", status))
        {
            return false;
        }

        var line = status.Untagged.Find(l => l.StartsWith("* STATUS", StringComparison.OrdinalIgnoreCase)) ?? "";
        var at = line.IndexOf("MESSAGES ", StringComparison.OrdinalIgnoreCase);
        var archived = at < 0 ? 0 : int.Parse(line.AsSpan(at + 9).TrimEnd(')').ToString().Split(' ')[0], CultureInfo.InvariantCulture);
        if (archived >= SmallestTarget)
        {
            return true;
        }

        var select = await ImapProtocol.ExchangeAsync(session.Connection, "SELECT INBOX", ct).ConfigureAwait(false);
        if (!Check("setup", "SELECT INBOX", select))
        {
            return false;
        }

        var inbox = select.Untagged.Select(ImapProtocol.ParseExists).LastOrDefault(n => n >= 0);
        if (inbox == 0)
        {
            return true;
        }

        var copy = $"COPY {Range(1, Math.Min(ArchiveSeed, inbox))} {Archive}";
        return Check("setup", copy, await ImapProtocol.ExchangeAsync(session.Connection, copy, ct).ConfigureAwait(false));
    }

    /// <summary>Sends one command of the cycle, times it under <paramref name="kind"/> and follows the message count.</summary>
    private Task<bool> CommandAsync(Session session, string kind, string command, CancellationToken ct, ReadOnlyMemory<byte> literal = default)
        => MeasureAsync(kind, async () =>
        {
            var reply = await ImapProtocol.ExchangeAsync(session.Connection, command, ct, literal).ConfigureAwait(false);
            session.Follow(reply.Untagged);
            if (reply.Bye is not null)
            {
                Check(kind, command, reply);

                // The server closes the connection after BYE (RFC 9051 §7.1.5): start a new session.
                throw new IOException("the server sent BYE");
            }

            return Check(kind, command, reply);
        });

    private bool Check(string kind, string command, ImapReply reply)
    {
        if (reply.Ok && reply.Bye is null)
        {
            return true;
        }

        Error(kind, command, reply.Bye ?? reply.Tagged);
        return false;
    }

    private void Error(string kind, string command, string reply)
    {
        Interlocked.Increment(ref _protocolErrors);
        lock (_errorsLock)
        {
            if (_errorLines.Count < ErrorLinesKept)
            {
                // The command's literal (an APPENDed message) is not shown, only its line.
                _errorLines.Add($"{kind}: {command} -> {reply}");
            }
        }
    }

    private static string Range(int first, int last) => first == last
        ? first.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{first}:{last}");

    /// <summary>One logged-in connection and the message count of its selected mailbox, as the server reported it.</summary>
    private sealed class Session(LineConnection connection)
    {
        public LineConnection Connection { get; } = connection;

        public int Exists { get; private set; }

        /// <summary>Applies EXISTS and EXPUNGE responses (RFC 9051 §7.4.1, §7.5.1) to the message count.</summary>
        public void Follow(List<string> untagged)
        {
            foreach (var line in untagged)
            {
                if (ImapProtocol.ParseExists(line) is var n and >= 0)
                {
                    Exists = n;
                }
                else if (line.EndsWith(" EXPUNGE", StringComparison.Ordinal))
                {
                    Exists--;
                }
            }
        }
    }
}
