using System.Diagnostics;
using System.Globalization;
using System.Text;
using MailHost.Storage;
using MailHost.Storage.Sqlite.Mail;

// Durable appends per second of 4 KiB messages into one SQLite store (WAL, synchronous=FULL, real fsync),
// with 1, 8 and 64 concurrent writers, group commit on and off. Every append returns only after its commit.
// Usage: MailHost.StoreBenchmark [--seconds N] [--directory PATH]
var seconds = 5.0;
var root = Path.Combine(Path.GetTempPath(), "mailhost-store-benchmark");
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--seconds":
            seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--directory":
            root = args[i + 1];
            break;
        default:
            Console.Error.WriteLine($"Unknown option {args[i]}");
            return 2;
    }
}

var message = MakeMessage(4096);
Console.WriteLine($"Durable APPENDs of {message.Length}-byte messages, {seconds:0.#} s per run, {Environment.ProcessorCount} cores, data in {root}");
Console.WriteLine();
Console.WriteLine("| Writers | Group commit | Appends/s | Commits/s | Appends per commit | p50 latency (ms) | p99 latency (ms) |");
Console.WriteLine("|--:|:-:|--:|--:|--:|--:|--:|");
foreach (var groupCommit in new[] { true, false })
{
    foreach (var writers in new[] { 1, 8, 64 })
    {
        var directory = Path.Combine(root, $"{writers}-{groupCommit}");
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        var result = await RunAsync(directory, writers, groupCommit, message, TimeSpan.FromSeconds(seconds));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {writers} | {(groupCommit ? "on" : "off")} | {result.AppendsPerSecond:0} | {result.CommitsPerSecond:0} | {result.AppendsPerCommit:0.0} | {result.P50:0.0} | {result.P99:0.0} |"));
        Directory.Delete(directory, recursive: true);
    }
}

return 0;

static async Task<(double AppendsPerSecond, double CommitsPerSecond, double AppendsPerCommit, double P50, double P99)> RunAsync(string directory, int writers, bool groupCommit, byte[] message, TimeSpan duration)
{
    var options = new SqliteMailStoreOptions { DataDirectory = directory, GroupCommit = groupCommit };
    await using var store = await SqliteMailStore.OpenAsync(options, null, null, default);
    var account = (await store.OpenAccountAsync("bench", default)).Value;

    // Warm-up: JIT, page cache, first blob directories.
    for (var i = 0; i < 20; i++)
    {
        await AppendAsync(account, message);
    }

    var commitsBefore = store.Commits;
    var latencies = new List<double>[writers];
    var stopwatch = Stopwatch.StartNew();
    var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
    {
        var mine = latencies[w] = [];
        while (stopwatch.Elapsed < duration)
        {
            var started = Stopwatch.GetTimestamp();
            await AppendAsync(account, message);
            mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    })).ToArray();
    await Task.WhenAll(tasks);
    var elapsed = stopwatch.Elapsed.TotalSeconds;
    var all = latencies.SelectMany(l => l).Order().ToArray();
    var commits = store.Commits - commitsBefore;
    return (all.Length / elapsed, commits / elapsed, all.Length / (double)Math.Max(1, commits), all[all.Length / 2], all[(int)(all.Length * 0.99)]);
}

static async Task AppendAsync(IMailAccount account, byte[] template)
{
    // Every message is distinct (a counter in X-Seq), so each append stores and indexes new content.
    var message = (byte[])template.Clone();
    var sequence = Interlocked.Increment(ref Counter.Value).ToString("D12", CultureInfo.InvariantCulture);
    Encoding.ASCII.GetBytes(sequence, message.AsSpan(SeqOffset, 12));
    using var stream = new MemoryStream(message, writable: false);
    var result = await account.AppendAsync("INBOX", stream, AppendOptions.Default, default);
    if (!result.IsSuccess)
    {
        throw new InvalidOperationException(result.Error.Message);
    }
}

static byte[] MakeMessage(int size)
{
    var sb = new StringBuilder("X-Seq: 000000000000\r\nFrom: bench@example.com\r\nTo: user@example.org\r\nSubject: benchmark\r\n\r\n");
    var line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore\r\n";
    while (sb.Length + line.Length <= size)
    {
        sb.Append(line);
    }

    sb.Append('x', size - sb.Length);
    return Encoding.ASCII.GetBytes(sb.ToString());
}

internal static partial class Program
{
    private const int SeqOffset = 7;
}

internal static class Counter
{
#pragma warning disable CA2211 // A benchmark counter shared by every writer task.
    public static long Value;
#pragma warning restore CA2211
}
