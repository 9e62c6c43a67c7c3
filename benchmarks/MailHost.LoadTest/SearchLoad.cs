using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MailHost.LoadTest;

/// <summary>
/// SEARCH latency on one large mailbox: fills the user's INBOX with <see cref="LoadOptions.MailboxMessages"/> messages
/// of <see cref="SearchCorpus"/> when it is empty, then times each SEARCH kind <see cref="LoadOptions.Repeat"/> times on
/// one connection (each after a NOOP), after one round that is not counted (it lets a server build its caches and
/// indexes). Reports the median and p90 latency of each kind and its hits as a count and a hash of the UID list, so
/// that two servers' answers can be compared.
/// </summary>
internal sealed class SearchLoad(LoadOptions options) : LoadRun(options)
{
    /// <summary>Messages per MULTIAPPEND while filling.</summary>
    private const int AppendBatch = 50;

    private readonly List<SearchResult> _results = [];

    protected override bool RunsOnce => true;

    protected override object? Details => _results;

    /// <summary>Each kind's name and its command.</summary>
    private static List<(string Kind, string Command)> Kinds(int messages) =>
    [
        ("HEADER-MSGID", $"UID SEARCH HEADER Message-ID \"{SearchCorpus.MessageId(messages / 2)}\""),
        ("FROM", $"UID SEARCH FROM \"{SearchCorpus.FromAddress}\""),
        ("SUBJECT", $"UID SEARCH SUBJECT \"{SearchCorpus.SubjectWord}\""),
        ("BODY", $"UID SEARCH BODY \"{SearchCorpus.BodyWord}\""),
        ("TEXT", $"UID SEARCH TEXT \"{SearchCorpus.TextWord}\""),
        ("UNSEEN", "UID SEARCH UNSEEN"),
        ("LARGER", string.Create(CultureInfo.InvariantCulture, $"UID SEARCH LARGER {SearchCorpus.LargerThan}")),
        ("SINCE", $"UID SEARCH SINCE {SearchCorpus.SinceDate.ToString("d-MMM-yyyy", CultureInfo.InvariantCulture)}"),
        ("KEYWORD", "UID SEARCH KEYWORD $Junk"),
    ];

    protected override async Task SessionAsync(int client, CancellationToken deadline)
    {
        if (client > 0)
        {
            // Latency, not throughput: one connection only.
            return;
        }

        LineConnection? c = null;
        if (!await MeasureAsync("login", async () => (c = await ImapProtocol.ConnectAndLoginAsync(Target, client, deadline).ConfigureAwait(false)) is not null).ConfigureAwait(false))
        {
            Notes.Add("error: LOGIN failed");
            return;
        }

        await using var connection = c!;
        var exists = await SelectAsync(connection, deadline).ConfigureAwait(false);
        if (exists == 0)
        {
            exists = await FillAsync(connection, deadline).ConfigureAwait(false);
        }

        if (exists < 0)
        {
            Stats("SELECT").RecordError();
            return;
        }

        if (exists != Options.MailboxMessages)
        {
            Stats("SELECT").RecordError();
            Notes.Add(string.Create(CultureInfo.InvariantCulture, $"error: INBOX of {Options.User(client)} holds {exists} messages, not {Options.MailboxMessages} (--mailbox-messages): the mailbox must be empty before the first run"));
            return;
        }

        if (Options.Repeat > 0)
        {
            await MeasureSearchesAsync(connection, deadline).ConfigureAwait(false);
        }

        await ImapProtocol.CommandAsync(connection, "LOGOUT", deadline).ConfigureAwait(false);
    }

    /// <summary>Selects INBOX and returns its message count, or -1 when the server refused (reported, not retried).</summary>
    private async Task<int> SelectAsync(LineConnection connection, CancellationToken ct)
    {
        var reply = await ImapProtocol.ExchangeAsync(connection, "SELECT INBOX", ct).ConfigureAwait(false);
        if (!reply.Ok)
        {
            Notes.Add("error: SELECT INBOX -> " + reply.Tagged);
            return -1;
        }

        return reply.Untagged.Select(ImapProtocol.ParseExists).LastOrDefault(n => n >= 0);
    }

    private async Task<int> FillAsync(LineConnection connection, CancellationToken deadline)
    {
        var started = Stopwatch.GetTimestamp();
        for (var first = 0; first < Options.MailboxMessages; first += AppendBatch)
        {
            var batch = Enumerable.Range(first, Math.Min(AppendBatch, Options.MailboxMessages - first)).Select(SearchCorpus.Message).ToList();
            var ok = await MeasureAsync("APPEND", async () =>
            {
                var reply = await ImapProtocol.MultiAppendAsync(connection, "INBOX", batch, deadline).ConfigureAwait(false);
                if (!reply.Ok)
                {
                    Notes.Add("error: " + reply.Tagged);
                }

                return reply.Ok;
            }).ConfigureAwait(false);
            if (!ok)
            {
                break;
            }
        }

        Notes.Add(string.Create(CultureInfo.InvariantCulture, $"filled INBOX with {Options.MailboxMessages} messages in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"));

        // SELECT again: the count the server now reports is the one the searches run on.
        return await SelectAsync(connection, deadline).ConfigureAwait(false);
    }

    private async Task MeasureSearchesAsync(LineConnection connection, CancellationToken deadline)
    {
        var kinds = Kinds(Options.MailboxMessages);
        var samples = kinds.ToDictionary(k => k.Kind, _ => new List<double>(), StringComparer.Ordinal);
        var hits = new Dictionary<string, string>(StringComparer.Ordinal);

        // Round 0 is the throw-away round: it waits out whatever a server builds on first use (caches, indexes).
        for (var round = 0; round <= Options.Repeat; round++)
        {
            foreach (var (kind, command) in kinds)
            {
                await ImapProtocol.CommandAsync(connection, "NOOP", deadline).ConfigureAwait(false);
                var started = Stopwatch.GetTimestamp();
                var reply = await ImapProtocol.ExchangeAsync(connection, command, deadline).ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(started);
                if (!reply.Ok)
                {
                    Stats(kind).RecordError();
                    Notes.Add($"error: {command} -> {reply.Tagged}");
                    continue;
                }

                var answer = Summarize(reply.Untagged);
                if (round == 0)
                {
                    hits[kind] = answer;
                    continue;
                }

                if (hits[kind] != answer)
                {
                    Stats(kind).RecordError();
                    Notes.Add($"error: {kind} answered {answer}, earlier {hits[kind]}");
                }

                Stats(kind).Record(elapsed);
                samples[kind].Add(elapsed.TotalMilliseconds);
            }
        }

        Notes.Add($"{"search",-14}{"hits",8}{"uid hash",14}{"median ms",11}{"p90 ms",10}");
        foreach (var (kind, command) in kinds)
        {
            var sorted = samples[kind].Order().ToArray();
            if (sorted.Length == 0 || !hits.TryGetValue(kind, out var answer))
            {
                continue;
            }

            var parts = answer.Split(' ');
            var result = new SearchResult(kind, command, int.Parse(parts[0], CultureInfo.InvariantCulture), parts[1], LatencyStats.Quantile(sorted, 0.5), LatencyStats.Quantile(sorted, 0.9));
            _results.Add(result);
            Notes.Add(string.Create(CultureInfo.InvariantCulture, $"{kind,-14}{result.Hits,8}{result.UidHash,14}{result.MedianMs,11:F2}{result.P90Ms,10:F2}"));
        }
    }

    /// <summary>"count hash" of the UIDs in the SEARCH responses (RFC 9051 §7.3.5), the hash over the sorted list.</summary>
    private static string Summarize(List<string> untagged)
    {
        var uids = new List<long>();
        foreach (var line in untagged)
        {
            if (!line.StartsWith("* SEARCH", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var token in line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(2))
            {
                if (long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
                {
                    uids.Add(uid);
                }
            }
        }

        uids.Sort();
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(string.Join(',', uids)));
        return string.Create(CultureInfo.InvariantCulture, $"{uids.Count} {Convert.ToHexStringLower(hash.AsSpan(0, 6))}");
    }

    /// <summary>One SEARCH kind's outcome, in the JSON report's <c>Details</c>.</summary>
    private sealed record SearchResult(string Kind, string Command, int Hits, string UidHash, double MedianMs, double P90Ms);
}
