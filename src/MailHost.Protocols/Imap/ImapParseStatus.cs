namespace MailHost.Protocols.Imap;

/// <summary>What <see cref="ImapCommandParser.TryParse"/> found; tells the session what to do next.</summary>
public enum ImapParseStatus
{
    /// <summary>More bytes are needed. Every byte offered was taken into the parser's own state; read more and call again.</summary>
    Incomplete,

    /// <summary>A whole command was parsed; it is in the <c>command</c> out parameter.</summary>
    Complete,

    /// <summary>
    /// A synchronizing literal (<c>{N}</c>) was accepted: the session sends a continuation request (<c>+ </c> line),
    /// flushes, and calls again. <see cref="ImapCommandParser.PendingLiteralSize"/> holds N.
    /// </summary>
    ContinuationNeeded,

    /// <summary>
    /// An APPEND message literal follows; it is not buffered by the parser. <see cref="ImapCommandParser.PendingAppend"/>
    /// describes it. The session checks it (sending <c>+ </c> first when it is synchronizing), streams exactly
    /// <see cref="ImapAppendMessage.Size"/> bytes to the store, then calls
    /// <see cref="ImapCommandParser.CompleteAppendLiteral"/> (or <see cref="ImapCommandParser.RejectLiteral"/>)
    /// and calls <see cref="ImapCommandParser.TryParse"/> again to continue the same command.
    /// </summary>
    AppendLiteral,

    /// <summary>The command is invalid; the <c>error</c> out parameter says what to answer and how to resynchronise.</summary>
    Error,
}
