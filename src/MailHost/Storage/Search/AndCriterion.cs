namespace MailHost.Storage.Search;

/// <summary>A list of keys, all of which must match (an empty list matches everything).</summary>
/// <param name="Criteria">The keys.</param>
public sealed record AndCriterion(IReadOnlyList<SearchCriteria> Criteria) : SearchCriteria;
