namespace MailHost.Storage.Search;

/// <summary><c>OLDER</c> / <c>YOUNGER</c> (RFC 5032), against the store's clock.</summary>
/// <param name="Comparison">Older or younger.</param>
/// <param name="Seconds">The interval in seconds.</param>
public sealed record AgeCriterion(AgeComparison Comparison, long Seconds) : SearchCriteria;
