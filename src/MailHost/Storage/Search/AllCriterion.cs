namespace MailHost.Storage.Search;

/// <summary><c>ALL</c>: every message.</summary>
public sealed record AllCriterion : SearchCriteria
{
    /// <summary>The one instance.</summary>
    public static AllCriterion Instance { get; } = new();
}
