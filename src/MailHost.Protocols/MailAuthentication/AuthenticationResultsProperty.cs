namespace MailHost.Protocols.MailAuthentication;

/// <summary>One <c>propspec</c> of an Authentication-Results field (RFC 8601 §2.2): <c>ptype.property=pvalue</c>.</summary>
/// <param name="Type">The ptype: <c>smtp</c>, <c>header</c>, <c>body</c> or <c>policy</c>.</param>
/// <param name="Name">The property, e.g. <c>mailfrom</c> or <c>d</c>.</param>
/// <param name="Value">The value as found; the writer makes it safe (token, address or quoted-string).</param>
public sealed record AuthenticationResultsProperty(string Type, string Name, string Value);
