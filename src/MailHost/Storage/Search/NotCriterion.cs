namespace MailHost.Storage.Search;

/// <summary><c>NOT key</c>.</summary>
/// <param name="Criterion">The negated criterion.</param>
public sealed record NotCriterion(SearchCriteria Criterion) : SearchCriteria;
