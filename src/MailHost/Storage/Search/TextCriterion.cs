namespace MailHost.Storage.Search;

/// <summary>
/// <c>BODY</c> / <c>TEXT</c>: case-insensitive substring search in the decoded text parts (and, for TEXT, the
/// headers), as indexed at append up to <see cref="MailStoreLimits.MaxIndexedTextLength"/> characters.
/// </summary>
/// <param name="Scope">Body only, or headers and body.</param>
/// <param name="Value">The substring.</param>
public sealed record TextCriterion(TextScope Scope, string Value) : SearchCriteria;
