namespace MailHost.Protocols.Pop3;

/// <summary>The exact responses the parser returns as errors, and the one for unknown commands. None echoes input.</summary>
internal static class Pop3Responses
{
    /// <summary>RFC 2449 §4: a command line over 255 octets.</summary>
    public static Pop3Response LineTooLong { get; } = Pop3Response.Err("Line too long");

    /// <summary>An AUTH line (initial response or answer to a challenge) over the SASL limit.</summary>
    public static Pop3Response AuthLineTooLong { get; } = Pop3Response.Err("Authentication line too long");

    /// <summary>A CR or LF inside a command line: lines end only at CRLF.</summary>
    public static Pop3Response BareLineEnding { get; } = Pop3Response.Err("Bare CR or LF in command line");

    /// <summary>NUL, another control character, or malformed UTF-8.</summary>
    public static Pop3Response InvalidCharacter { get; } = Pop3Response.Err("Invalid character in command line");

    /// <summary>The reply to an <see cref="UnknownCommand"/>.</summary>
    public static Pop3Response UnknownCommand { get; } = Pop3Response.Err("Unknown command");

    /// <summary>A command without arguments got some.</summary>
    public static Pop3Response NoArgumentsAllowed { get; } = Pop3Response.Err("Syntax error, no arguments allowed");

    /// <summary>A required argument is missing or there are too many.</summary>
    public static Pop3Response SyntaxError { get; } = Pop3Response.Err("Syntax error in arguments");

    /// <summary>A message number that is not 1 to 2147483647.</summary>
    public static Pop3Response InvalidMessageNumber { get; } = Pop3Response.Err("Invalid message number");
}
