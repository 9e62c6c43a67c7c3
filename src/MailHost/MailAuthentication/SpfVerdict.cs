using MailHost.Protocols.MailAuthentication;

namespace MailHost.MailAuthentication;

/// <summary>The SPF result for one identity (RFC 7208 §2.3, §2.4) and what it was computed for.</summary>
/// <param name="Result">The check_host() result.</param>
/// <param name="Identity"><c>mailfrom</c> or <c>helo</c>: the Authentication-Results property it is reported under (RFC 8601 §2.7.2).</param>
/// <param name="Domain">The domain checked (lower-case ASCII), or <see langword="null"/> when there was no usable identity.</param>
/// <param name="Sender">The <c>&lt;sender&gt;</c> checked (<c>postmaster@helo</c> for the null reverse-path), or <see langword="null"/>.</param>
/// <param name="Reason">A short explanation for the log and the header comment.</param>
internal sealed record SpfVerdict(SpfResult Result, string Identity, string? Domain, string? Sender, string Reason);
