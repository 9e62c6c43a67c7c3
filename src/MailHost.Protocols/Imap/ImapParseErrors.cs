namespace MailHost.Protocols.Imap;

/// <summary>The exact error texts of the IMAP parser. Fixed strings: they never echo client bytes.</summary>
internal static class ImapParseErrors
{
    public const string LineTooLong = "Command line too long";
    public const string LiteralTooBig = "Literal too big";
    public const string MessageTooBig = "Message exceeds APPENDLIMIT";
    public const string TooManyLiteralBytes = "Too many literal bytes in one command";
    public const string LiteralMinusTooBig = "Non-synchronizing literal over 4096 bytes (LITERAL-)";
    public const string InvalidLiteral = "Invalid literal";
    public const string UnexpectedLiteral8 = "literal8 is only allowed for APPEND data";
    public const string TooMuchNesting = "Too much nesting";
    public const string TagTooLong = "Tag too long";
    public const string InvalidTag = "Invalid tag";
    public const string EmptyLine = "Empty command line";
    public const string BareLineFeed = "Line must end with CRLF";
    public const string MissingCommand = "Missing command name";
    public const string UnknownCommand = "Unknown command";
    public const string MissingArgument = "Missing argument";
    public const string ExpectedSpace = "Expected a space between arguments";
    public const string TrailingCharacters = "Unexpected characters after the command";
    public const string InvalidString = "Invalid string";
    public const string UnterminatedQuoted = "Unterminated quoted string";
    public const string InvalidQuotedEscape = "Invalid escape in quoted string";
    public const string NulNotAllowed = "NUL is not allowed here";
    public const string InvalidUtf8 = "Invalid UTF-8";
    public const string InvalidListMailbox = "Invalid mailbox pattern";
    public const string InvalidNumber = "Invalid number";
    public const string NumberOutOfRange = "Number out of range";
    public const string InvalidSequenceSet = "Invalid sequence set";
    public const string InvalidFlag = "Invalid flag";
    public const string InvalidDate = "Invalid date";
    public const string InvalidFetchItem = "Invalid fetch item";
    public const string InvalidSection = "Invalid section";
    public const string InvalidPartial = "Invalid partial range";
    public const string InvalidFetchModifier = "Invalid fetch modifier";
    public const string VanishedWithoutChangedSince = "VANISHED requires CHANGEDSINCE";
    public const string VanishedWithoutUid = "VANISHED is only allowed with UID FETCH";
    public const string InvalidStoreItem = "Invalid store item";
    public const string InvalidSearchKey = "Invalid search key";
    public const string InvalidModSeqEntryName = "Invalid MODSEQ entry name: expected \"/flags/<flag>\"";
    public const string InvalidModSeqEntryType = "Invalid MODSEQ entry type: expected priv, shared or all";
    public const string InvalidReturnOption = "Invalid RETURN option";
    public const string InvalidSortCriterion = "Invalid sort criterion";
    public const string InvalidThreadAlgorithm = "Unsupported thread algorithm";
    public const string InvalidStatusItem = "Invalid status item";
    public const string InvalidListOption = "Invalid LIST option";
    public const string InvalidSelectParameter = "Invalid SELECT/EXAMINE parameter";
    public const string InvalidCreateParameter = "Invalid CREATE parameter";
    public const string InvalidBase64 = "Invalid base64";
    public const string InvalidIdParameters = "Invalid ID parameters";
    public const string InvalidQuotaResource = "Invalid quota resource";
    public const string TooManyMessages = "Too many messages in one APPEND";
    public const string InvalidAppend = "Invalid APPEND arguments";
    public const string ExpectedDone = "Expected DONE";
    public const string IdleLineTooLong = "IDLE line too long";
    public const string AuthenticateLineTooLong = "Authentication response too long";
}
