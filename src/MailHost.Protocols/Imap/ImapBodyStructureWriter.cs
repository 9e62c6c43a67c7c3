namespace MailHost.Protocols.Imap;

/// <summary>
/// Writes BODY and BODYSTRUCTURE values (RFC 9051 §7.5.2). Pure: built on the primitives of <see cref="ImapResponseWriter"/>;
/// nothing is flushed here.
/// </summary>
public static class ImapBodyStructureWriter
{
    /// <summary>
    /// Writes a BODY (<paramref name="extensible"/> false) or BODYSTRUCTURE (true) value, without the item name
    /// (RFC 9051 §7.5.2). Nesting deeper than <paramref name="maxDepth"/> is clipped: deeper parts are written as
    /// empty <c>application/octet-stream</c> parts, so a MIME bomb cannot exhaust the stack (SECURITY C4, C8).
    /// </summary>
    public static void WriteBodyStructure(this ImapResponseWriter writer, ImapBodyStructure body, bool extensible, int maxDepth = 100)
    {
        ArgumentNullException.ThrowIfNull(body);
        WriteBodyPart(writer, body, extensible, maxDepth);
    }

    private static void WriteBodyPart(ImapResponseWriter writer, ImapBodyStructure body, bool extensible, int depthLeft)
    {
        if (depthLeft <= 0)
        {
            writer.WriteRaw("(\"application\" \"octet-stream\" NIL NIL NIL \"7BIT\" 0)"u8);
            return;
        }

        writer.WriteByte((byte)'(');
        if (body.IsMultipart && body.Parts is { Count: > 0 })
        {
            // body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart].
            foreach (var part in body.Parts)
            {
                WriteBodyPart(writer, part, extensible, depthLeft - 1);
            }

            writer.WriteSpace();
            writer.WriteString(body.Subtype);
            if (extensible)
            {
                writer.WriteSpace();
                WriteParameters(writer, body.Parameters);
                WriteExtensionTail(writer, body);
            }

            writer.WriteByte((byte)')');
            return;
        }

        // body-type-1part: media type, subtype, body-fields (params id desc enc octets).
        writer.WriteString(body.Type);
        writer.WriteSpace();
        writer.WriteString(body.Subtype);
        writer.WriteSpace();
        WriteParameters(writer, body.Parameters);
        writer.WriteSpace();
        writer.WriteNString(body.Id);
        writer.WriteSpace();
        writer.WriteNString(body.Description);
        writer.WriteSpace();
        writer.WriteString(body.Encoding);
        writer.WriteSpace();
        writer.WriteNumber((ulong)Math.Max(0, body.Size));
        if (body.IsMessage)
        {
            // body-type-msg = media-message SP body-fields SP envelope SP body SP body-fld-lines.
            writer.WriteSpace();
            writer.WriteEnvelope(body.Envelope!);
            writer.WriteSpace();
            WriteBodyPart(writer, body.Parts![0], extensible, depthLeft - 1);
            writer.WriteSpace();
            writer.WriteNumber((ulong)Math.Max(0, body.Lines ?? 0));
        }
        else if (body.Lines is not null)
        {
            writer.WriteSpace();
            writer.WriteNumber((ulong)Math.Max(0, body.Lines.Value));
        }

        if (extensible)
        {
            // body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc]]].
            writer.WriteSpace();
            writer.WriteNString(body.Md5);
            WriteExtensionTail(writer, body);
        }

        writer.WriteByte((byte)')');
    }

    private static void WriteExtensionTail(ImapResponseWriter writer, ImapBodyStructure body)
    {
        writer.WriteSpace();
        if (body.Disposition is null)
        {
            writer.WriteRaw("NIL"u8);
        }
        else
        {
            writer.WriteByte((byte)'(');
            writer.WriteString(body.Disposition);
            writer.WriteSpace();
            WriteParameters(writer, body.DispositionParameters);
            writer.WriteByte((byte)')');
        }

        writer.WriteSpace();
        if (body.Language is null || body.Language.Count == 0)
        {
            writer.WriteRaw("NIL"u8);
        }
        else if (body.Language.Count == 1)
        {
            writer.WriteString(body.Language[0]);
        }
        else
        {
            writer.WriteByte((byte)'(');
            for (var i = 0; i < body.Language.Count; i++)
            {
                if (i > 0)
                {
                    writer.WriteSpace();
                }

                writer.WriteString(body.Language[i]);
            }

            writer.WriteByte((byte)')');
        }

        writer.WriteSpace();
        writer.WriteNString(body.Location);
    }

    private static void WriteParameters(ImapResponseWriter writer, IReadOnlyList<KeyValuePair<string, string>>? parameters)
    {
        if (parameters is null || parameters.Count == 0)
        {
            writer.WriteRaw("NIL"u8);
            return;
        }

        writer.WriteByte((byte)'(');
        for (var i = 0; i < parameters.Count; i++)
        {
            if (i > 0)
            {
                writer.WriteSpace();
            }

            writer.WriteString(parameters[i].Key);
            writer.WriteSpace();
            writer.WriteString(parameters[i].Value);
        }

        writer.WriteByte((byte)')');
    }
}
