namespace MailHost.Protocols.Text;

/// <summary>What <see cref="DotUnstuffer"/> does with a CR not followed by LF, or an LF not preceded by CR.</summary>
/// <remarks>
/// RFC 5321 §2.3.8: CR and LF "MUST only occur together as CRLF". Passing a bare one through is what made SMTP
/// smuggling possible (CVE-2023-51764/5/6), so neither mode ever does: both only end DATA at an exact CRLF.CRLF.
/// </remarks>
public enum DotBareLineEnding
{
    /// <summary>
    /// A bare CR or bare LF ends the line and is written as CRLF (Postfix <c>smtpd_forbid_bare_newline = normalize</c>).
    /// A line started by a bare line ending can never end the message.
    /// </summary>
    Normalize = 0,

    /// <summary>
    /// The first bare CR or LF sets <see cref="DotUnstuffError.BareLineEnding"/>; the rest of the message is read
    /// to its end and discarded, so the session can answer once (for example <c>550 5.6.11</c>).
    /// </summary>
    Reject = 1,
}
