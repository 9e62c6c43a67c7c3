using MailHost.Dkim;

namespace MailHost.MailAuthentication;

/// <summary>The verdicts for one message, the Authentication-Results field that records them, and what to do with it.</summary>
internal sealed record MailAuthenticationResult
{
    /// <summary>SPF for the MAIL FROM identity (or postmaster@HELO for the null reverse-path).</summary>
    public required SpfVerdict Spf { get; init; }

    /// <summary>SPF for the HELO identity, when <see cref="MailAuthenticationOptions.CheckHelo"/> is on.</summary>
    public SpfVerdict? Helo { get; init; }

    /// <summary>One verdict per verified DKIM-Signature field, top-most first; empty when unsigned.</summary>
    public required IReadOnlyList<DkimVerdict> Dkim { get; init; }

    /// <summary>The DMARC verdict.</summary>
    public required DmarcVerdict Dmarc { get; init; }

    /// <summary>What to do with the message.</summary>
    public MailAuthenticationDisposition Disposition { get; init; }

    /// <summary>The Authentication-Results field (RFC 8601) with its final CRLF: 7-bit printable ASCII, folded.</summary>
    public required string HeaderField { get; init; }

    /// <summary>
    /// Offsets (in the authenticated content) of incoming Authentication-Results fields that claim this server's
    /// authserv-id; RFC 8601 §5 says they must not be trusted. The SMTP server renames them
    /// X-Original-Authentication-Results.
    /// </summary>
    public IReadOnlyList<long> ForgedFieldOffsets { get; init; } = [];
}
