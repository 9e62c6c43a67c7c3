namespace MailHost.Protocols.Text;

/// <summary>Why <see cref="DotUnstuffer"/> stopped writing message bytes. The first error wins.</summary>
public enum DotUnstuffError
{
    /// <summary>No error: every message byte so far was written.</summary>
    None = 0,

    /// <summary>A bare CR or LF arrived in <see cref="DotBareLineEnding.Reject"/> mode.</summary>
    BareLineEnding = 1,

    /// <summary>A text line passed <see cref="DotUnstufferOptions.MaxLineLength"/> with <see cref="DotUnstufferOptions.RejectLongLines"/> set.</summary>
    LineTooLong = 2,

    /// <summary>The message passed <see cref="DotUnstufferOptions.MaxMessageSize"/> (RFC 1870: the session answers 552).</summary>
    MessageTooLarge = 3,
}
