using System.Text.Json;

namespace MailHost.Certificates.Acme;

/// <summary>Small readers for the JSON objects of RFC 8555 §7.1: absent or mistyped members read as null.</summary>
internal static class AcmeJson
{
    public static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static string RequiredString(JsonElement element, string name, string what) =>
        String(element, name) ?? throw new AcmeException($"The ACME server's {what} has no \"{name}\".");

    public static IReadOnlyList<string> Strings(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray()
            : [];

    public static bool Boolean(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    /// <summary>Parses <paramref name="body"/> as a JSON object, or says which resource was not one.</summary>
    public static JsonElement Object(ReadOnlyMemory<byte> body, string what)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new AcmeException($"The ACME server's {what} is not a JSON object.");
            }

            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new AcmeException($"The ACME server's {what} is not JSON ({ex.Message}).", ex);
        }
    }
}
