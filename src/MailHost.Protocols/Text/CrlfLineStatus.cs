namespace MailHost.Protocols.Text;

/// <summary>The outcome of <see cref="CrlfLineFramer.TryReadLine"/>.</summary>
internal enum CrlfLineStatus
{
    /// <summary>No CRLF yet and the limit is not reached: read more.</summary>
    Incomplete,

    /// <summary>A whole line (CRLF excluded) within the limit.</summary>
    Complete,

    /// <summary>The line passed the limit. Its bytes so far are consumed; the rest is dropped by later calls.</summary>
    TooLong,
}
