namespace MailHost.Storage.Search;

/// <summary><c>UID</c> set, and message sequence sets after the session mapped them to UIDs.</summary>
/// <param name="Uids">The UIDs that match.</param>
public sealed record UidCriterion(UidSet Uids) : SearchCriteria;
