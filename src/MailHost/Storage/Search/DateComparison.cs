namespace MailHost.Storage.Search;

/// <summary>How a <see cref="DateCriterion"/> compares; time and time zone are disregarded (RFC 9051 §6.4.4).</summary>
public enum DateComparison
{
    /// <summary>Earlier than the date.</summary>
    Before,

    /// <summary>Within the date.</summary>
    On,

    /// <summary>Within or later than the date.</summary>
    Since,
}
