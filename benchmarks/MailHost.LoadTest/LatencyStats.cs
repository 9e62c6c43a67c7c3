namespace MailHost.LoadTest;

/// <summary>Latencies and errors of one operation kind (e.g. "RETR"), thread-safe.</summary>
internal sealed class LatencyStats(string name)
{
    private const int MaxSamples = 1_000_000;
    private readonly Lock _lock = new();
    private readonly List<double> _milliseconds = [];
    private long _count;
    private long _errors;

    public string Name { get; } = name;

    public long Count => Interlocked.Read(ref _count);

    public long Errors => Interlocked.Read(ref _errors);

    public void Record(TimeSpan elapsed)
    {
        Interlocked.Increment(ref _count);
        lock (_lock)
        {
            if (_milliseconds.Count < MaxSamples)
            {
                _milliseconds.Add(elapsed.TotalMilliseconds);
            }
        }
    }

    public void RecordError() => Interlocked.Increment(ref _errors);

    public (double P50, double P99, double Max) Percentiles()
    {
        lock (_lock)
        {
            if (_milliseconds.Count == 0)
            {
                return (0, 0, 0);
            }

            var sorted = _milliseconds.Order().ToArray();
            return (At(sorted, 0.50), At(sorted, 0.99), sorted[^1]);
        }
    }

    private static double At(double[] sorted, double q) => Quantile(sorted, q);

    /// <summary>The nearest-rank quantile <paramref name="q"/> (0 to 1) of a sorted, non-empty array.</summary>
    public static double Quantile(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
