namespace MailHost.Protocols.Text;

/// <summary>Limits and line-ending policy for <see cref="DotUnstuffer"/>.</summary>
public sealed class DotUnstufferOptions
{
    /// <summary>RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets including its CRLF.</summary>
    public const int RfcMaxLineLength = 1000;

    /// <summary>What a bare CR or LF does. Default <see cref="DotBareLineEnding.Normalize"/>.</summary>
    public DotBareLineEnding BareLineEndings { get; init; } = DotBareLineEnding.Normalize;

    /// <summary>
    /// The longest text line, in octets including CRLF and excluding a removed stuffing dot (RFC 5321 §4.5.3.1.6).
    /// Default <see cref="RfcMaxLineLength"/>. Longer lines are counted in <see cref="DotUnstuffer.LongLineCount"/>.
    /// </summary>
    public int MaxLineLength { get; init; } = RfcMaxLineLength;

    /// <summary>
    /// When <see langword="true"/>, the first line longer than <see cref="MaxLineLength"/> sets
    /// <see cref="DotUnstuffError.LineTooLong"/>; when <see langword="false"/> (default) long lines are only counted.
    /// </summary>
    public bool RejectLongLines { get; init; }

    /// <summary>
    /// The most message bytes (after unstuffing and normalising) written before
    /// <see cref="DotUnstuffError.MessageTooLarge"/> is set. Default <see cref="long.MaxValue"/> (no limit).
    /// </summary>
    public long MaxMessageSize { get; init; } = long.MaxValue;
}
