namespace MailHost.Protocols.Smtp;

/// <summary>The outcome of a <see cref="SmtpCommandParser"/> call.</summary>
public enum SmtpParseStatus
{
    /// <summary>No complete line yet; nothing was consumed (wait for more bytes, examined = buffer end).</summary>
    Incomplete = 0,

    /// <summary>One line was parsed and consumed.</summary>
    Complete = 1,

    /// <summary>
    /// The input was refused with the reply to send; the bad line (or, for an over-long line, every byte received
    /// so far) was consumed. The session answers and counts the error; the next call continues with the next line.
    /// </summary>
    Error = 2,
}
