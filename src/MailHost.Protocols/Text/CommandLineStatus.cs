namespace MailHost.Protocols.Text;

/// <summary>
/// What <see cref="CommandLineReader"/> found at the start of the input. Each refusal is one protocol-neutral
/// reason; the protocol's parser answers it with its own reply text.
/// </summary>
internal enum CommandLineStatus
{
    /// <summary>No CRLF yet and the limit is not reached: read more.</summary>
    Incomplete,

    /// <summary>A whole line within the limit, free of bare line endings and control characters.</summary>
    Complete,

    /// <summary>The line passed its limit; what is left of it is skipped by the following calls.</summary>
    TooLong,

    /// <summary>A CR or LF inside the line: lines end only at CRLF.</summary>
    BareLineEnding,

    /// <summary>NUL, another control character or malformed UTF-8 (in a SASL response: anything but printable ASCII).</summary>
    InvalidCharacter,
}
