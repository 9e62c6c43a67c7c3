namespace MailHost.Storage.Search;

/// <summary>
/// A node of a search criteria tree that the IMAP session builds from SEARCH keys (RFC 9051 §6.4.4 and the
/// extensions RFC 7162 MODSEQ, RFC 5032 OLDER/YOUNGER, RFC 8514 SAVEDBEFORE/SAVEDON/SAVEDSINCE, RFC 8474
/// EMAILID/THREADID). A list of keys at the top level or inside parentheses is an <see cref="AndCriterion"/>.
/// Stores evaluate it and never hand its strings to LIKE unescaped or to a regex (SECURITY.md rule 8).
/// </summary>
public abstract record SearchCriteria;
