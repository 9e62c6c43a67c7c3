namespace MailHost.Protocols.Imap;

/// <summary>
/// Writes ENVELOPE values (RFC 9051 §7.5.2). Pure: built on the primitives of <see cref="ImapResponseWriter"/>;
/// nothing is flushed here.
/// </summary>
public static class ImapEnvelopeWriter
{
    /// <summary>Writes an ENVELOPE value (the parenthesised list, RFC 9051 §7.5.2), without the <c>ENVELOPE </c> name.</summary>
    public static void WriteEnvelope(this ImapResponseWriter writer, ImapEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        writer.WriteByte((byte)'(');
        writer.WriteNString(envelope.Date);
        writer.WriteSpace();
        writer.WriteNString(envelope.Subject);
        writer.WriteSpace();
        WriteAddresses(writer, envelope.From);
        writer.WriteSpace();

        // RFC 9051 §7.5.2: an absent Sender or Reply-To is sent as the From value.
        WriteAddresses(writer, envelope.Sender is { Count: > 0 } ? envelope.Sender : envelope.From);
        writer.WriteSpace();
        WriteAddresses(writer, envelope.ReplyTo is { Count: > 0 } ? envelope.ReplyTo : envelope.From);
        writer.WriteSpace();
        WriteAddresses(writer, envelope.To);
        writer.WriteSpace();
        WriteAddresses(writer, envelope.Cc);
        writer.WriteSpace();
        WriteAddresses(writer, envelope.Bcc);
        writer.WriteSpace();
        writer.WriteNString(envelope.InReplyTo);
        writer.WriteSpace();
        writer.WriteNString(envelope.MessageId);
        writer.WriteByte((byte)')');
    }

    private static void WriteAddresses(ImapResponseWriter writer, IReadOnlyList<ImapAddress>? addresses)
    {
        if (addresses is null || addresses.Count == 0)
        {
            writer.WriteRaw("NIL"u8);
            return;
        }

        writer.WriteByte((byte)'(');
        foreach (var address in addresses)
        {
            writer.WriteByte((byte)'(');
            writer.WriteNString(address.Name);
            writer.WriteSpace();
            writer.WriteNString(address.Route);
            writer.WriteSpace();
            writer.WriteNString(address.Mailbox);
            writer.WriteSpace();
            writer.WriteNString(address.Host);
            writer.WriteByte((byte)')');
        }

        writer.WriteByte((byte)')');
    }
}
