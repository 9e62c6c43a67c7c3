namespace MailHost.Protocols.Imap;

/// <summary>
/// One message of an APPEND (RFC 9051 §6.3.12; MULTIAPPEND RFC 3502 allows several). Handed to the session with
/// <see cref="ImapParseStatus.AppendLiteral"/> before its bytes, which the session streams itself.
/// </summary>
/// <param name="Tag">The APPEND command's tag.</param>
/// <param name="Mailbox">The decoded target mailbox.</param>
/// <param name="Index">0 for the first message, 1 for the next (MULTIAPPEND), and so on.</param>
/// <param name="Flags">The flag list (system flags in canonical case), empty when none was given.</param>
/// <param name="InternalDate">The date-time argument, or null.</param>
/// <param name="Size">The exact number of message bytes that follow.</param>
/// <param name="IsSynchronizing">True for <c>{N}</c>: the client waits for <c>+ </c> before sending; false for <c>{N+}</c>.</param>
/// <param name="IsBinary">True for <c>~{N}</c> (RFC 3516 literal8): the bytes may hold NUL and need not be 7-bit.</param>
public sealed record ImapAppendMessage(
    string Tag,
    string Mailbox,
    int Index,
    IReadOnlyList<string> Flags,
    DateTimeOffset? InternalDate,
    long Size,
    bool IsSynchronizing,
    bool IsBinary);
