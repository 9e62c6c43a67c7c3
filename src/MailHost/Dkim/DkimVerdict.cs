using MailHost.Protocols.MailAuthentication;

namespace MailHost.Dkim;

/// <summary>The result of one DKIM-Signature field (RFC 6376 §6, reported as RFC 8601 §2.7.1 says).</summary>
/// <param name="Result">The verification result.</param>
/// <param name="Domain">The signing domain (<c>d=</c>, lower-case ASCII), or <see langword="null"/> when the field could not be read.</param>
/// <param name="Selector">The selector (<c>s=</c>), or <see langword="null"/>.</param>
/// <param name="Reason">A short explanation for the log and the header comment.</param>
internal sealed record DkimVerdict(DkimResult Result, string? Domain, string? Selector, string Reason)
{
    /// <summary>The signing algorithm (<c>a=</c>), or <see langword="null"/>.</summary>
    public string? Algorithm { get; init; }

    /// <summary>
    /// Whether the key is marked as testing (<c>t=y</c>): RFC 6376 §3.6.1 says such signatures must not be treated
    /// differently from unsigned mail, so DMARC does not count them.
    /// </summary>
    public bool IsTesting { get; init; }
}
