namespace MailHost.Dns;

/// <summary>An MX record (RFC 5321 §5.1).</summary>
/// <param name="Preference">Lower is preferred.</param>
/// <param name="Exchange">The mail exchanger's host name, lower case, without the trailing dot; <c>.</c> for a null MX (RFC 7505).</param>
public sealed record DnsMxRecord(int Preference, string Exchange);
