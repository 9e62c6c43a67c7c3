using System.Xml;

namespace MailHost.Server.Onboarding;

/// <summary>
/// The POX autodiscover request Outlook posts (MS-OXDSCLI §2.2.3): an <c>Autodiscover/Request</c> element with the
/// user's <c>EMailAddress</c> and the <c>AcceptableResponseSchema</c> it wants back.
/// </summary>
/// <param name="EmailAddress">The address as sent, or null when the request has none.</param>
/// <param name="AcceptableResponseSchema">The schema asked for, or null when absent.</param>
internal sealed record OutlookAutodiscoverRequest(string? EmailAddress, string? AcceptableResponseSchema)
{
    /// <summary>
    /// Reads a request body. Returns null when it is not well-formed XML or uses a DTD: a DTD is refused outright
    /// (<see cref="DtdProcessing.Prohibit"/>, no resolver), so entity expansion and external entities (XXE) cannot
    /// happen. Elements are matched by local name, since clients differ in the request namespace they use.
    /// </summary>
    public static OutlookAutodiscoverRequest? Parse(ArraySegment<byte> body)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersFromEntities = 1024,
            MaxCharactersInDocument = body.Count + 1L,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            IgnoreWhitespace = true,
        };
        string? email = null;
        string? schema = null;
        try
        {
            using var stream = new MemoryStream(body.Array ?? [], body.Offset, body.Count, writable: false);
            using var reader = XmlReader.Create(stream, settings);
            if (reader.MoveToContent() != XmlNodeType.Element || reader.LocalName != "Autodiscover")
            {
                return null;
            }

            while (!reader.EOF)
            {
                // Autodiscover (depth 0) / Request (1) / EMailAddress, AcceptableResponseSchema (2).
                if (reader.NodeType == XmlNodeType.Element && reader.Depth == 2 && reader.LocalName is "EMailAddress" or "AcceptableResponseSchema")
                {
                    var isEmail = reader.LocalName == "EMailAddress";
                    var text = reader.ReadElementContentAsString().Trim();
                    if (isEmail)
                    {
                        email ??= text;
                    }
                    else
                    {
                        schema ??= text;
                    }

                    continue;
                }

                reader.Read();
            }
        }
        catch (XmlException)
        {
            return null;
        }

        return new OutlookAutodiscoverRequest(email, schema);
    }
}
