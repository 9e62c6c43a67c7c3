using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using MailHost.Hosting;
using MailHost.Storage.InMemory;

namespace MailHost.Connections;

/// <summary>
/// The mail work on the <c>MailHost</c> meter: commands, authentication attempts, messages received and delivered,
/// the outbound queue, store operations and TLS handshakes. Names follow OpenTelemetry's conventions (dotted
/// lower-case, a unit in UCUM or a <c>{thing}</c> annotation, seconds for time).
/// </summary>
public static partial class MailHostMetrics
{
    /// <summary>The <c>command</c> tag of a verb the server does not know, or of a line it could not parse.</summary>
    internal const string OtherCommand = "other";

    // Kestrel's and ASP.NET Core's request-duration boundaries, extended down to half a millisecond: an indexed SQLite
    // SELECT or an in-memory fetch is far below 5 ms, and a histogram whose first bucket holds everything says nothing.
    private static readonly double[] StoreDurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    // The outbound queue workers of every host in the process (see MeasurementSources).
    private static readonly MeasurementSources QueueDepthSources = new();
    private static readonly MeasurementSources QueueAgeSources = new();

    // The store kind of each store, account and view type seen: one dictionary lookup per operation after the first.
    private static readonly ConcurrentDictionary<Type, string> StoreNames = new();

    internal static readonly Counter<long> Commands = Meter.CreateCounter<long>(
        "mailhost.commands", unit: "{command}",
        description: "Commands received, by protocol (imap, pop3, smtp, submission) and command (the verb upper-case; other for an unknown verb or a line that did not parse).");

    internal static readonly Counter<long> AuthenticationAttempts = Meter.CreateCounter<long>(
        "mailhost.auth.attempts", unit: "{attempt}",
        description: "Authentication attempts that reached an answer, by protocol (imap, pop3, smtp, http), mechanism (PLAIN, LOGIN, SCRAM-SHA-256, USER; other) and outcome.");

    internal static readonly Counter<long> MessagesReceived = Meter.CreateCounter<long>(
        "mailhost.messages.received", unit: "{message}",
        description: "Messages accepted with 250 after DATA or BDAT LAST, by endpoint kind (mx, submission).");

    internal static readonly Counter<long> MessagesDelivered = Meter.CreateCounter<long>(
        "mailhost.messages.delivered", unit: "{recipient}",
        description: "Deliveries, one per recipient, by route: local (stored in a mailbox by SMTP) or remote (accepted by the next hop).");

    internal static readonly Counter<long> MessagesDeferred = Meter.CreateCounter<long>(
        "mailhost.messages.deferred", unit: "{recipient}", description: "Outbound recipients whose delivery failed temporarily and is retried later.");

    internal static readonly Counter<long> MessagesBounced = Meter.CreateCounter<long>(
        "mailhost.messages.bounced", unit: "{recipient}",
        description: "Outbound recipients given up, by reason: permanent (a 5xx reply or another failure no retry can mend) or expired (still failing when the message reached its maximum age).");

    internal static readonly ObservableGauge<double> QueueDepth = Meter.CreateObservableGauge(
        "mailhost.queue.depth", QueueDepthSources.Measure, unit: "{message}",
        description: "Messages in the outbound queue, as its worker last sampled it (every 15 s and after each delivery round).");

    internal static readonly ObservableGauge<double> QueueOldestAge = Meter.CreateObservableGauge(
        "mailhost.queue.oldest_age", QueueAgeSources.Measure, unit: "s",
        description: "Seconds since the oldest message in the outbound queue was queued; 0 when the queue is empty.");

    internal static readonly Histogram<double> StoreOperationDuration = Meter.CreateHistogram(
        "mailhost.store.operation.duration", unit: "s",
        description: "Duration of mail store operations, by operation and store (sqlite, postgres, memory).",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StoreDurationBuckets });

    internal static readonly Counter<long> TlsHandshakes = Meter.CreateCounter<long>(
        "mailhost.tls.handshakes", unit: "{handshake}",
        description: "TLS handshakes on mail endpoints (implicit, detected and STARTTLS), by protocol, version (the negotiated one; for a failure the highest the client offered) and outcome.");

    /// <summary>Counts one command of <paramref name="protocol"/>; <paramref name="command"/> is a verb of the server's own table or <see cref="OtherCommand"/>.</summary>
    internal static void CommandReceived(MailProtocol protocol, string command)
    {
        if (Commands.Enabled)
        {
            Commands.Add(1, new KeyValuePair<string, object?>("protocol", ProtocolName(protocol)), new KeyValuePair<string, object?>("command", command));
        }
    }

    /// <summary>
    /// The <c>command</c> tags of a protocol's command kinds: each kind's name upper-case, as the verb is on the wire
    /// (<c>StartTls</c> is STARTTLS, <c>Utf8</c> UTF8); <paramref name="notVerbs"/> (unknown lines, HTTP requests) are
    /// <see cref="OtherCommand"/>.
    /// </summary>
    internal static FrozenDictionary<TKind, string> CommandNames<TKind>(params TKind[] notVerbs)
        where TKind : struct, Enum
        => Enum.GetValues<TKind>().ToFrozenDictionary(
            kind => kind, kind => notVerbs.Contains(kind) ? OtherCommand : kind.ToString().ToUpperInvariant());

    /// <summary>Counts a message accepted on <paramref name="protocol"/>'s endpoint (<c>endpoint</c>: mx or submission).</summary>
    internal static void MessageReceived(MailProtocol protocol)
        => MessagesReceived.Add(1, new KeyValuePair<string, object?>("endpoint", protocol == MailProtocol.Submission ? "submission" : "mx"));

    /// <summary>
    /// A start for <see cref="StoreOperationEnded"/>: a timestamp, or 0 when nobody listens to the histogram, which
    /// then records nothing. One timestamp pair per operation is all the cost.
    /// </summary>
    internal static long StoreOperationStarting() => StoreOperationDuration.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Records one store operation begun at <paramref name="started"/> (from <see cref="StoreOperationStarting"/>).</summary>
    /// <param name="started">The start; 0 records nothing.</param>
    /// <param name="operation">select, fetch, search, store, expunge, copy, move, append, deliver, status or list.</param>
    /// <param name="store">The store, account or mailbox view that did the work; its type tells the store kind.</param>
    internal static void StoreOperationEnded(long started, string operation, object store)
    {
        if (started != 0)
        {
            RecordStoreOperation(Stopwatch.GetElapsedTime(started), operation, store);
        }
    }

    /// <summary>
    /// Passes <paramref name="source"/> through, timing only the store's part: the time spent waiting for each next
    /// item, not the time the consumer takes with it (FETCH writes to the client between items, and a slow client
    /// is no slow store). Recorded once, when the enumeration ends.
    /// </summary>
    internal static IAsyncEnumerable<T> TimedStoreEnumeration<T>(IAsyncEnumerable<T> source, string operation, object store)
        => StoreOperationDuration.Enabled ? TimeEnumerationAsync(source, operation, store) : source;

    /// <summary>
    /// The <c>store</c> tag: sqlite, postgres or memory. The store interfaces carry no name, so the implementing type
    /// tells: MailHost's own in-memory store, or a type of one of the two storage assemblies.
    /// </summary>
    internal static string StoreName(object store) => StoreNames.GetOrAdd(store.GetType(), static type =>
        type.Namespace == typeof(InMemoryMailStore).Namespace ? "memory"
        : type.Assembly.GetName().Name switch
        {
            "MailHost.Storage.Sqlite" => "sqlite",
            "MailHost.Storage.Postgres" => "postgres",
            _ => "other",
        });

    /// <summary>
    /// Counts a finished TLS handshake of <paramref name="protocol"/>'s endpoint; <paramref name="version"/> is from
    /// <see cref="TlsVersionName"/>, or <c>unknown</c> when no complete ClientHello arrived.
    /// </summary>
    internal static void TlsHandshake(MailProtocol protocol, string version, bool succeeded)
    {
        var tags = new TagList
        {
            { "protocol", ProtocolName(protocol) },
            { "version", version },
            { "outcome", succeeded ? "succeeded" : "failed" },
        };
        TlsHandshakes.Add(1, tags);
    }

    /// <summary>The <c>version</c> tag of a version number as on the wire (0x0304 is TLS 1.3): tls1.3, tls1.2, tls1.1, tls1.0, ssl3, or other.</summary>
    internal static string TlsVersionName(ushort version) => version switch
    {
        0x0304 => "tls1.3",
        0x0303 => "tls1.2",
        0x0302 => "tls1.1",
        0x0301 => "tls1.0",
        0x0300 => "ssl3",
        _ => "other",
    };

    /// <summary>
    /// Adds a queue worker's samples to <c>mailhost.queue.depth</c> and <c>mailhost.queue.oldest_age</c> until the result
    /// is disposed. The callbacks run on the exporter's thread, so they only read a cached sample, never the queue.
    /// </summary>
    internal static IDisposable ObserveQueue(Func<IEnumerable<Measurement<double>>> depth, Func<IEnumerable<Measurement<double>>> oldestAge)
        => new Registrations(QueueDepthSources.Add(depth), QueueAgeSources.Add(oldestAge));

    private static void RecordStoreOperation(TimeSpan elapsed, string operation, object store)
        => StoreOperationDuration.Record(
            elapsed.TotalSeconds, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("store", StoreName(store)));

    private static async IAsyncEnumerable<T> TimeEnumerationAsync<T>(IAsyncEnumerable<T> source, string operation, object store)
    {
        long waited = 0;
        var enumerator = source.GetAsyncEnumerator();
        try
        {
            while (true)
            {
                var started = Stopwatch.GetTimestamp();
                var more = await enumerator.MoveNextAsync().ConfigureAwait(false);
                waited += Stopwatch.GetTimestamp() - started;
                if (!more)
                {
                    break;
                }

                yield return enumerator.Current;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
            RecordStoreOperation(TimeSpan.FromSeconds((double)waited / Stopwatch.Frequency), operation, store);
        }
    }

    private sealed class Registrations(params IDisposable[] registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }
}
