namespace MailHost.Storage.Search;

/// <summary><c>KEYWORD</c> (<paramref name="IsSet"/> true) and <c>UNKEYWORD</c> (false); compared case-insensitively.</summary>
/// <param name="Keyword">The keyword.</param>
/// <param name="IsSet">Whether the keyword must be set.</param>
public sealed record KeywordCriterion(string Keyword, bool IsSet) : SearchCriteria;
