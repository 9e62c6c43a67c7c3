using System.Text.Json;

namespace MailHost.Server.Onboarding;

/// <summary>
/// Autodiscover v2, the JSON lookup newer Outlook versions make first:
/// <c>GET /autodiscover/autodiscover.json?Email=...&amp;Protocol=...</c> (or <c>.../autodiscover.json/v1.0/EMAIL?Protocol=...</c>).
/// The answer names one URL for the protocol asked for. MailHost serves none of Exchange's protocols (EWS,
/// ActiveSync, REST), only <c>AutodiscoverV1</c>, which points Outlook at the POX endpoint that describes IMAP and SMTP.
/// Other protocol names get Exchange's own error object, <c>InvalidProtocol</c> with HTTP 400, naming what is supported.
/// </summary>
internal static class AutodiscoverJson
{
    /// <summary>The one protocol value served.</summary>
    public const string AutodiscoverV1 = "AutodiscoverV1";

    /// <summary>The POX endpoint's path; Outlook posts to it next.</summary>
    public const string PoxPath = "/autodiscover/autodiscover.xml";

    /// <summary>The success body: <c>{"Protocol":"AutodiscoverV1","Url":"BASE/autodiscover/autodiscover.xml"}</c>.</summary>
    public static byte[] Found(string baseUrl) => Write(writer =>
    {
        writer.WriteString("Protocol", AutodiscoverV1);
        writer.WriteString("Url", baseUrl.TrimEnd('/') + PoxPath);
    });

    /// <summary>The error body for a protocol not served, quoting only what is safe to echo.</summary>
    public static byte[] InvalidProtocol(string? protocol) => Write(writer =>
    {
        var shown = new string((protocol ?? "").Where(char.IsAsciiLetterOrDigit).Take(64).ToArray());
        writer.WriteString("ErrorCode", "InvalidProtocol");
        writer.WriteString("ErrorMessage", $"The given protocol value '{shown}' is invalid. Supported values are '{AutodiscoverV1}'");
    });

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
