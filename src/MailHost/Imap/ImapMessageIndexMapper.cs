using MailHost.Protocols.Imap;
using MailHost.Storage.Mime;

namespace MailHost.Imap;

/// <summary>Turns the store's MIME index into the IMAP writer's ENVELOPE and BODYSTRUCTURE records (no re-parsing).</summary>
internal static class ImapMessageIndexMapper
{
    public static ImapEnvelope ToEnvelope(MessageEnvelope envelope) => new(
        envelope.Date,
        envelope.Subject,
        Addresses(envelope.From),
        Addresses(envelope.Sender),
        Addresses(envelope.ReplyTo),
        Addresses(envelope.To),
        Addresses(envelope.Cc),
        Addresses(envelope.Bcc),
        envelope.InReplyTo,
        envelope.MessageId);

    /// <summary>The body structure of <paramref name="part"/>; nesting is bounded by the indexer's depth limit (SECURITY C8).</summary>
    public static ImapBodyStructure ToBodyStructure(MessagePart part)
    {
        IReadOnlyList<ImapBodyStructure>? children = null;
        ImapEnvelope? envelope = null;
        if (part.IsMultipart)
        {
            children = [.. part.Parts.Select(ToBodyStructure)];
        }
        else if (part.Message is not null && part.Envelope is not null)
        {
            children = [ToBodyStructure(part.Message)];
            envelope = ToEnvelope(part.Envelope);
        }

        var hasLines = string.Equals(part.MediaType, "text", StringComparison.Ordinal) || envelope is not null;
        return new ImapBodyStructure(
            part.MediaType,
            part.MediaSubtype,
            [.. part.Parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value))],
            part.ContentId,
            part.Description,
            part.TransferEncoding,
            part.BodySize,
            hasLines ? part.Lines : null,
            part.Md5,
            part.Disposition,
            [.. part.DispositionParameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value))],
            part.Languages,
            part.Location,
            children,
            envelope);
    }

    private static List<ImapAddress> Addresses(IReadOnlyList<EnvelopeAddress> addresses)
        => [.. addresses.Select(a => new ImapAddress(a.Name, a.Route, a.Mailbox, a.Host))];
}
