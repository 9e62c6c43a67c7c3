using MailHost.Protocols.Text;

namespace MailHost.Protocols.Smtp;

/// <summary>
/// The exact replies the parser returns as errors, and the replies for DATA outcomes. None of them echoes client
/// input (SECURITY A6).
/// </summary>
public static class SmtpReplies
{
    /// <summary>RFC 5321 §4.5.3.1.4: "500 Line too long".</summary>
    public static SmtpReply LineTooLong { get; } = new(500, "5.5.2", "Line too long");

    /// <summary>RFC 4954 §4: an AUTH line (initial response or answer to 334) over 12288 octets.</summary>
    public static SmtpReply AuthLineTooLong { get; } = new(500, "5.5.6", "Authentication Exchange line is too long");

    /// <summary>A CR or LF inside a command line (SECURITY B2): lines end only at CRLF.</summary>
    public static SmtpReply BareLineEnding { get; } = new(500, "5.5.2", "Bare CR or LF in command line");

    /// <summary>NUL, another control character, or malformed UTF-8 in a command line.</summary>
    public static SmtpReply InvalidCharacter { get; } = new(500, "5.5.2", "Invalid character in command line");

    /// <summary>RFC 5321 §4.2.4: an unknown command.</summary>
    public static SmtpReply CommandUnrecognized { get; } = new(500, "5.5.1", "Command unrecognized");

    /// <summary>EHLO without a valid argument.</summary>
    public static SmtpReply EhloSyntax { get; } = new(501, "5.5.4", "Syntax: EHLO hostname");

    /// <summary>HELO without a valid argument.</summary>
    public static SmtpReply HeloSyntax { get; } = new(501, "5.5.4", "Syntax: HELO hostname");

    /// <summary>MAIL without <c>FROM:&lt;...&gt;</c>.</summary>
    public static SmtpReply MailSyntax { get; } = new(501, "5.5.4", "Syntax: MAIL FROM:<address>");

    /// <summary>RCPT without <c>TO:&lt;...&gt;</c>.</summary>
    public static SmtpReply RcptSyntax { get; } = new(501, "5.5.4", "Syntax: RCPT TO:<address>");

    /// <summary>A malformed reverse-path (RFC 3463 X.1.7).</summary>
    public static SmtpReply BadSenderAddress { get; } = new(501, "5.1.7", "Bad sender address syntax");

    /// <summary>A malformed forward-path (RFC 3463 X.1.3).</summary>
    public static SmtpReply BadRecipientAddress { get; } = new(501, "5.1.3", "Bad recipient address syntax");

    /// <summary>A UTF-8 address without SMTPUTF8 (RFC 6531 §3.6, RFC 6533 X.6.7).</summary>
    public static SmtpReply Utf8AddressNeedsSmtpUtf8 { get; } = new(553, "5.6.7", "Non-ASCII address requires SMTPUTF8");

    /// <summary>RFC 5321 §4.1.1.11: an unknown parameter, or one of an extension that is not offered.</summary>
    public static SmtpReply ParameterNotRecognized { get; } = new(555, "5.5.4", "MAIL FROM/RCPT TO parameters not recognized or not implemented");

    /// <summary>The same parameter twice.</summary>
    public static SmtpReply DuplicateParameter { get; } = new(501, "5.5.4", "Duplicate parameter");

    /// <summary>A parameter whose value breaks its grammar.</summary>
    public static SmtpReply ParameterSyntax { get; } = new(501, "5.5.4", "Invalid parameter value");

    /// <summary>RFC 1870 §6.1: SIZE or a BDAT chunk above the fixed maximum (also a number past 64 bits).</summary>
    public static SmtpReply MessageTooBig { get; } = new(552, "5.3.4", "Message size exceeds fixed maximum message size");

    /// <summary>A command that takes no argument got one.</summary>
    public static SmtpReply NoArgumentsAllowed { get; } = new(501, "5.5.4", "Syntax error, no parameters allowed");

    /// <summary>BDAT without a valid size.</summary>
    public static SmtpReply BdatSyntax { get; } = new(501, "5.5.4", "Syntax: BDAT size [LAST]");

    /// <summary>VRFY or EXPN without an argument.</summary>
    public static SmtpReply ArgumentRequired { get; } = new(501, "5.5.4", "Syntax error, argument required");

    /// <summary>AUTH without a valid mechanism name or with a malformed initial response.</summary>
    public static SmtpReply AuthSyntax { get; } = new(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");

    /// <summary>
    /// A bare CR or LF in DATA in <see cref="DotBareLineEnding.Reject"/> mode (the code Exchange uses for bare line feeds).
    /// </summary>
    public static SmtpReply DataBareLineEnding { get; } = new(550, "5.6.11", "Bare CR or LF in message text is not allowed");

    /// <summary>A text line over 1000 octets when long lines are refused (RFC 5321 §4.5.3.1.6).</summary>
    public static SmtpReply DataLineTooLong { get; } = new(550, "5.6.0", "Message text line too long");

    /// <summary>The reply for a <see cref="DotUnstuffer"/> error, or <see langword="null"/> for none.</summary>
    public static SmtpReply? ForDataError(DotUnstuffError error) => error switch
    {
        DotUnstuffError.BareLineEnding => DataBareLineEnding,
        DotUnstuffError.LineTooLong => DataLineTooLong,
        DotUnstuffError.MessageTooLarge => MessageTooBig,
        _ => null,
    };
}
