namespace MailHost.Storage.Search;

/// <summary><c>OR key1 key2</c>.</summary>
/// <param name="Left">The first alternative.</param>
/// <param name="Right">The second alternative.</param>
public sealed record OrCriterion(SearchCriteria Left, SearchCriteria Right) : SearchCriteria;
