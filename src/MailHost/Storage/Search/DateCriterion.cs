namespace MailHost.Storage.Search;

/// <summary>A date comparison. The message's date is taken in its own time zone, then compared as a calendar date.</summary>
/// <param name="Field">Which date.</param>
/// <param name="Comparison">Before, on or since.</param>
/// <param name="Date">The calendar date.</param>
public sealed record DateCriterion(SearchDateField Field, DateComparison Comparison, DateOnly Date) : SearchCriteria;
