namespace MailHost.Protocols.Imap;

/// <summary>
/// A refused command, as a value. The session answers <c>{Tag ?? "*"} {Status} [{Code}] {Text}</c> (the code part
/// only when <see cref="Code"/> is set) and then follows <see cref="Resync"/>. <see cref="Text"/> is a fixed message
/// that never echoes client bytes.
/// </summary>
/// <param name="Tag">The command's tag when it was read and valid; null otherwise (answer untagged).</param>
/// <param name="Status"><see cref="ImapResponseStatus.Bad"/> for protocol errors, <see cref="ImapResponseStatus.No"/> for refusals such as APPENDLIMIT.</param>
/// <param name="Code">A response code without brackets (<c>TOOBIG</c>, <c>PARSE</c>, <c>CLIENTBUG</c>), or null.</param>
/// <param name="Text">The human-readable text, exact and stable.</param>
/// <param name="Resync">How the stream gets back in step.</param>
/// <param name="SkipBytes">With <see cref="ImapResync.DiscardCommand"/>: the literal bytes the parser will drop before looking at the rest of the command; 0 otherwise.</param>
public sealed record ImapParseError(
    string? Tag, ImapResponseStatus Status, string? Code, string Text, ImapResync Resync, long SkipBytes = 0);
