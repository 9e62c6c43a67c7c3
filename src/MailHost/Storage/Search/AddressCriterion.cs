namespace MailHost.Storage.Search;

/// <summary>
/// <c>FROM TO CC BCC</c>: the field's addresses as parsed at delivery (<see cref="AddressSearchText"/>), or its
/// decoded header text, contain <paramref name="Value"/>, case-insensitively. RFC 9051 §6.4.4 searches "the envelope
/// structure's FROM field", so <c>user@example.org</c> matches <c>&lt;user (comment)@ example.org&gt;</c> and
/// <c>Name &lt;user@example.org&gt;</c> matches <c>user@example.org (Name)</c>; an empty value matches any message that
/// has the header.
/// </summary>
/// <param name="Field">The header field: <c>From</c>, <c>To</c>, <c>Cc</c> or <c>Bcc</c>.</param>
/// <param name="Value">The substring.</param>
public sealed record AddressCriterion(string Field, string Value) : SearchCriteria;
