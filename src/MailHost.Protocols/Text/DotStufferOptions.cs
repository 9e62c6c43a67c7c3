namespace MailHost.Protocols.Text;

/// <summary>Options for <see cref="DotStuffer"/>.</summary>
public sealed class DotStufferOptions
{
    /// <summary>
    /// When set, every NUL byte is sent as this byte instead (some POP3 clients hang on NUL). Default
    /// <see langword="null"/>: bytes are sent as stored. Must not be CR, LF or NUL.
    /// </summary>
    public byte? NulReplacement { get; init; }

    /// <summary>
    /// POP3 TOP (RFC 1939 §7): when set, only the header, the blank line after it and this many body lines are
    /// sent. A message without a blank line is all header and is sent whole. Default <see langword="null"/>: the
    /// whole message (RETR).
    /// </summary>
    public int? TopBodyLines { get; init; }
}
