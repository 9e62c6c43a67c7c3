using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace MailHost.LoadTest;

/// <summary>Shared machinery of every mode: the deadline, the operation budget, timing and the report.</summary>
internal abstract class LoadRun(LoadOptions options)
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };
    private readonly ConcurrentDictionary<string, LatencyStats> _stats = new(StringComparer.Ordinal);
    private long _operations;
    private long _nextSlot;
    private volatile bool _finished;

    protected LoadOptions Options { get; } = options;

    protected IPEndPoint EndPoint { get; } = new(options.Host, options.Port);

    protected bool ImplicitTls => Options.Tls == "implicit";

    protected bool StartTls => Options.Tls == "starttls";

    /// <summary>Where and how clients connect.</summary>
    protected Context Target => new(Options, EndPoint, ImplicitTls, StartTls);

    /// <summary>Extra lines for the report (e.g. memory per connection).</summary>
    protected List<string> Notes { get; } = [];

    public async Task<int> RunAsync()
    {
        using var deadline = new CancellationTokenSource(Options.Duration);
        var started = Stopwatch.GetTimestamp();
        _nextSlot = started;
        var clients = Enumerable.Range(0, Options.Clients).Select(i => ClientLoopAsync(i, deadline.Token)).ToArray();
        await Task.WhenAll(clients).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        await FinishAsync().ConfigureAwait(false);
        Report(elapsed);
        return _stats.Values.Sum(s => s.Count) > 0 ? 0 : 1;
    }

    private async Task ClientLoopAsync(int client, CancellationToken deadline)
    {
        while (KeepGoing(deadline))
        {
            try
            {
                await SessionAsync(client, deadline).ConfigureAwait(false);
                if (RunsOnce)
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or InvalidDataException or System.Security.Authentication.AuthenticationException)
            {
                Stats("session").RecordError();
            }
        }
    }

    /// <summary>One client session; loop inside it while <see cref="KeepGoing"/> holds.</summary>
    protected abstract Task SessionAsync(int client, CancellationToken deadline);

    protected virtual Task FinishAsync() => Task.CompletedTask;

    /// <summary>Mode-specific results written to the JSON report as <c>Details</c> (null: none).</summary>
    protected virtual object? Details => null;

    /// <summary>
    /// Operations left out of the report's "total" line (connection set-up); null when the mode prints no total.
    /// </summary>
    protected virtual IReadOnlySet<string>? NotInTotal => null;

    /// <summary>Whether each client runs one session only (a scripted scenario rather than a load loop).</summary>
    protected virtual bool RunsOnce => false;

    protected bool KeepGoing(CancellationToken deadline)
        => !_finished && !deadline.IsCancellationRequested && Interlocked.Read(ref _operations) < Options.MaxOperations;

    /// <summary>Ends the run for every client once the work it was given is done (sessions finish what they started).</summary>
    protected void Finish() => _finished = true;

    /// <summary>
    /// Waits for this operation's turn when a rate is set: turns are handed out <c>1/Rate</c> seconds apart over all
    /// clients, so a server can be measured at a given load instead of at its ceiling. A client that falls behind its
    /// turn goes at once; the schedule does not stretch.
    /// </summary>
    protected async Task PaceAsync(CancellationToken deadline)
    {
        if (Options.Rate <= 0)
        {
            return;
        }

        var interval = (long)(Stopwatch.Frequency / Options.Rate);
        var slot = Interlocked.Add(ref _nextSlot, interval) - interval;
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), slot);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, deadline).ConfigureAwait(false);
        }
    }

    protected LatencyStats Stats(string name) => _stats.GetOrAdd(name, static n => new LatencyStats(n));

    /// <summary>Times one operation; a false result counts as a protocol error.</summary>
    protected async Task<bool> MeasureAsync(string name, Func<Task<bool>> operation)
    {
        var started = Stopwatch.GetTimestamp();
        var ok = await operation().ConfigureAwait(false);
        Interlocked.Increment(ref _operations);
        if (ok)
        {
            Stats(name).Record(Stopwatch.GetElapsedTime(started));
        }
        else
        {
            Stats(name).RecordError();
        }

        return ok;
    }

    /// <summary>A message of about <see cref="LoadOptions.MessageSize"/> bytes with CRLF lines of 76 characters.</summary>
    protected static byte[] BuildMessage(LoadOptions options, string to, int serial)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"From: {options.Sender}\r\nTo: {to}\r\nSubject: load {serial}\r\n");
        text.Append(CultureInfo.InvariantCulture, $"Message-ID: <{Guid.NewGuid():N}@load.test>\r\nDate: {DateTimeOffset.UtcNow:r}\r\n\r\n");
        var line = new string('x', 76) + "\r\n";
        while (text.Length + line.Length <= options.MessageSize)
        {
            text.Append(line);
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private void Report(TimeSpan elapsed)
    {
        var rows = _stats.Values.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s =>
        {
            var (p50, p99, max) = s.Percentiles();
            return new ResultRow(s.Name, s.Count, s.Errors, s.Count / elapsed.TotalSeconds, p50, p99, max);
        }).ToList();

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mode {Options.Mode}, {Options.Clients} clients, {elapsed.TotalSeconds:F1} s, {EndPoint}, tls {Options.Tls}"));
        Console.WriteLine($"{"operation",-14}{"count",10}{"errors",8}{"ops/s",10}{"p50 ms",10}{"p99 ms",10}{"max ms",10}");
        foreach (var r in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Operation,-14}{r.Count,10}{r.Errors,8}{r.PerSecond,10:F1}{r.P50Ms,10:F2}{r.P99Ms,10:F2}{r.MaxMs,10:F2}"));
        }

        if (NotInTotal is { } excluded)
        {
            var counted = rows.Where(r => !excluded.Contains(r.Operation)).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"total",-14}{counted.Sum(r => r.Count),10}{counted.Sum(r => r.Errors),8}{counted.Sum(r => r.PerSecond),10:F1}"));
        }

        foreach (var note in Notes)
        {
            Console.WriteLine(note);
        }

        if (Options.JsonPath is not null)
        {
            var json = new { Options.Mode, Options.Clients, Seconds = elapsed.TotalSeconds, Options.Tls, Results = rows, Notes, Details };
            File.WriteAllText(Options.JsonPath, JsonSerializer.Serialize(json, JsonOptions));
        }
    }

    internal sealed record Context(LoadOptions Options, IPEndPoint EndPoint, bool ImplicitTls, bool StartTls);

    private sealed record ResultRow(string Operation, long Count, long Errors, double PerSecond, double P50Ms, double P99Ms, double MaxMs);
}
