using MailHost.Protocols.Smtp;

namespace MailHost.Smtp;

/// <summary>Why a submitted message's author fields were refused: the reply for the client and what the log shows.</summary>
/// <param name="Reply">The <c>550 5.7.1</c> reply to the end of the data (fixed text: client input is never echoed).</param>
/// <param name="Field">The field at fault: <c>From</c> or <c>Sender</c>.</param>
/// <param name="Detail">For the log: the address not owned, or what is wrong with the field.</param>
internal sealed record SmtpAuthorRefusal(SmtpReply Reply, string Field, string Detail);
