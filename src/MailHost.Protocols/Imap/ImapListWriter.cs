namespace MailHost.Protocols.Imap;

/// <summary>
/// Writes LIST and LSUB responses (RFC 9051 §7.3.1, RFC 5258 §3.5). Pure: built on the primitives of <see cref="ImapResponseWriter"/>;
/// nothing is flushed here.
/// </summary>
public static class ImapListWriter
{
    /// <summary>
    /// Writes <c>* LIST (attributes) delimiter mailbox [extended]</c> CRLF (RFC 9051 §7.3.1); <paramref name="command"/>
    /// is <c>LIST</c> or <c>LSUB</c>. <paramref name="childInfo"/> adds the RFC 5258 <c>("CHILDINFO" ("SUBSCRIBED"))</c> item,
    /// <paramref name="oldName"/> the RFC 9051 <c>("OLDNAME" (name))</c> item.
    /// </summary>
    public static void WriteList(this ImapResponseWriter writer,
        ReadOnlySpan<byte> command, IEnumerable<string> attributes, char? delimiter, string mailbox, bool childInfo = false, string? oldName = null)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        writer.WriteRaw("* "u8);
        writer.WriteRaw(command);
        writer.WriteRaw(" ("u8);
        var first = true;
        foreach (var attribute in attributes)
        {
            if (!ImapResponseWriter.IsFlag(attribute))
            {
                continue;
            }

            if (!first)
            {
                writer.WriteSpace();
            }

            first = false;
            writer.WriteAscii(attribute);
        }

        writer.WriteRaw(") "u8);
        if (delimiter is null)
        {
            writer.WriteRaw("NIL"u8);
        }
        else
        {
            writer.WriteQuoted(delimiter.Value.ToString());
        }

        writer.WriteSpace();
        writer.WriteMailbox(mailbox);
        if (childInfo || oldName is not null)
        {
            writer.WriteRaw(" ("u8);
            if (childInfo)
            {
                writer.WriteRaw("\"CHILDINFO\" (\"SUBSCRIBED\")"u8);
            }

            if (oldName is not null)
            {
                if (childInfo)
                {
                    writer.WriteSpace();
                }

                writer.WriteRaw("\"OLDNAME\" ("u8);
                writer.WriteMailbox(oldName);
                writer.WriteByte((byte)')');
            }

            writer.WriteByte((byte)')');
        }

        writer.WriteCrlf();
    }
}
