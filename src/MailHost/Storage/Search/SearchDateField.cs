namespace MailHost.Storage.Search;

/// <summary>Which date a <see cref="DateCriterion"/> compares.</summary>
public enum SearchDateField
{
    /// <summary>INTERNALDATE: <c>BEFORE ON SINCE</c>.</summary>
    Internal,

    /// <summary>The Date header: <c>SENTBEFORE SENTON SENTSINCE</c>; messages without one never match.</summary>
    Sent,

    /// <summary>SAVEDATE (RFC 8514): <c>SAVEDBEFORE SAVEDON SAVEDSINCE</c>.</summary>
    Saved,
}
