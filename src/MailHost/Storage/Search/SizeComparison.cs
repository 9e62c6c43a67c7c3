namespace MailHost.Storage.Search;

/// <summary>How <see cref="SizeCriterion"/> compares.</summary>
public enum SizeComparison
{
    /// <summary><c>LARGER n</c>: size &gt; n.</summary>
    Larger,

    /// <summary><c>SMALLER n</c>: size &lt; n.</summary>
    Smaller,
}
