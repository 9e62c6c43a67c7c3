namespace MailHost.Storage.Search;

/// <summary><c>LARGER</c> / <c>SMALLER</c> on the RFC 822 size.</summary>
/// <param name="Comparison">Larger or smaller.</param>
/// <param name="Size">The size in octets.</param>
public sealed record SizeCriterion(SizeComparison Comparison, long Size) : SearchCriteria;
