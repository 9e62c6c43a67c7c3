namespace MailHost.Storage.Search;

/// <summary><c>EMAILID id</c> / <c>THREADID id</c> (RFC 8474 §6): exact match.</summary>
/// <param name="Kind">Which id.</param>
/// <param name="Id">The id.</param>
public sealed record ObjectIdCriterion(ObjectIdKind Kind, string Id) : SearchCriteria;
