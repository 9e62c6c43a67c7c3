namespace MailHost.Filtering;

/// <summary>The points of an SMTP session where the pipeline asks its filters.</summary>
internal enum InboundFilterStage
{
    Connect,
    Helo,
    MailFrom,
    Recipient,
    Message,
}
