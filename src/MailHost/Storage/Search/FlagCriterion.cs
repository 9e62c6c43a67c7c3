namespace MailHost.Storage.Search;

/// <summary>
/// <c>ANSWERED DELETED DRAFT FLAGGED SEEN</c> (<paramref name="IsSet"/> true) and their <c>UN</c> forms (false).
/// </summary>
/// <param name="Flag">One system flag.</param>
/// <param name="IsSet">Whether the flag must be set.</param>
public sealed record FlagCriterion(MessageFlags Flag, bool IsSet) : SearchCriteria;
