using System.Diagnostics.CodeAnalysis;

namespace MailHost.Dns;

/// <summary>The answer to one DNS query: a status and, when <see cref="DnsLookupStatus.Found"/>, the records.</summary>
/// <typeparam name="T">The record type.</typeparam>
/// <param name="Status">How the query ended.</param>
/// <param name="Records">The records; empty unless <paramref name="Status"/> is <see cref="DnsLookupStatus.Found"/>.</param>
[SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "Factories on the result type read best at call sites.")]
public sealed record DnsLookup<T>(DnsLookupStatus Status, IReadOnlyList<T> Records)
{
    /// <summary>A successful answer (an empty list becomes <see cref="DnsLookupStatus.NoRecords"/>).</summary>
    public static DnsLookup<T> Of(IReadOnlyList<T> records)
        => new(records is { Count: > 0 } ? DnsLookupStatus.Found : DnsLookupStatus.NoRecords, records ?? []);

    /// <summary>An answer without records.</summary>
    public static DnsLookup<T> Without(DnsLookupStatus status) => new(status, []);
}
