using BenchmarkDotNet.Attributes;
using MailHost.Imap;

namespace MailHost.Benchmarks;

/// <summary>
/// LIST pattern matching (SECURITY C6, T13): an ordinary pattern, and many wildcards against a long name, which a
/// backtracking matcher would never finish. The unit tests count the matcher's steps; the time is measured here.
/// </summary>
[MemoryDiagnoser]
public class ImapListMatcherBenchmarks
{
    private readonly string _longName = new('a', 1000);
    private readonly string _hostilePattern = string.Concat(Enumerable.Repeat("*a", 200)) + "b";

    [Benchmark]
    public bool OrdinaryPattern() => ImapListMatcher.Matches("Work/Projects/2026", "Work/%", '/');

    [Benchmark]
    public bool ManyWildcardsAgainstALongName() => ImapListMatcher.Matches(_longName, _hostilePattern, '/');
}
