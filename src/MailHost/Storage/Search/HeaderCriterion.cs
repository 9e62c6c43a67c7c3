namespace MailHost.Storage.Search;

/// <summary>
/// <c>HEADER name value</c>, and <c>SUBJECT</c> as that header: a header with the name exists and its decoded value
/// contains <paramref name="Value"/>, case-insensitively; an empty value matches any message that has the header
/// (RFC 9051 §6.4.4). <c>FROM TO CC BCC</c> are <see cref="AddressCriterion"/>.
/// </summary>
/// <param name="Name">The header field name.</param>
/// <param name="Value">The substring.</param>
public sealed record HeaderCriterion(string Name, string Value) : SearchCriteria;
