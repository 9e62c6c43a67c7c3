namespace MailHost.Protocols.Imap;

/// <summary>How the byte stream gets back in step after an <see cref="ImapParseError"/>.</summary>
public enum ImapResync
{
    /// <summary>The bad command has been consumed to its end; the next bytes are a new command.</summary>
    None,

    /// <summary>
    /// The client is still sending the rest of the bad command (a non-synchronizing literal of
    /// <see cref="ImapParseError.SkipBytes"/> bytes, then whatever follows it up to the command's end). The parser
    /// reads and drops those bytes itself on the next <see cref="ImapCommandParser.TryParse"/> calls, never running
    /// them as commands (SECURITY C3). A session unwilling to read that much may close instead.
    /// </summary>
    DiscardCommand,

    /// <summary>The stream cannot be resynchronised (e.g. a line longer than the limit): answer and close the connection.</summary>
    Close,
}
