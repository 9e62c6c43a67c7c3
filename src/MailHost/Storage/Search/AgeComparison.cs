namespace MailHost.Storage.Search;

/// <summary>How an <see cref="AgeCriterion"/> compares (RFC 5032).</summary>
public enum AgeComparison
{
    /// <summary><c>OLDER n</c>: INTERNALDATE is more than n seconds ago.</summary>
    Older,

    /// <summary><c>YOUNGER n</c>: INTERNALDATE is n seconds ago or less.</summary>
    Younger,
}
