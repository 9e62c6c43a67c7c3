using System.Text;
using System.Text.Json;

namespace MailHost.Certificates.Acme;

/// <summary>
/// An error document from the ACME server (RFC 7807 problem details with the <c>urn:ietf:params:acme:error:</c> types
/// of RFC 8555 §6.7), with the per-identifier subproblems of §6.7.1.
/// </summary>
internal sealed record AcmeProblem(string Type, string? Detail, int? Status, IReadOnlyList<AcmeProblem> Subproblems, string? Identifier)
{
    /// <summary>The namespace of ACME's error types (RFC 8555 §6.7).</summary>
    public const string ErrorPrefix = "urn:ietf:params:acme:error:";

    /// <summary>The media type of a problem document (RFC 7807 §3).</summary>
    public const string ContentType = "application/problem+json";

    /// <summary>The type without its namespace: <c>badNonce</c>, <c>unauthorized</c>, <c>rateLimited</c>, ...</summary>
    public string ShortType => Type.StartsWith(ErrorPrefix, StringComparison.Ordinal) ? Type[ErrorPrefix.Length..] : Type;

    /// <summary>RFC 8555 §6.5: the client should retry a request refused for its nonce with a fresh one.</summary>
    public bool IsBadNonce => Type == ErrorPrefix + "badNonce";

    /// <summary>Reads a problem object; null when <paramref name="element"/> is not one.</summary>
    public static AcmeProblem? From(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var type = AcmeJson.String(element, "type") ?? "about:blank";
        int? status = element.TryGetProperty("status", out var s) && s.TryGetInt32(out var number) ? number : null;
        var subproblems = new List<AcmeProblem>();
        if (element.TryGetProperty("subproblems", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            subproblems.AddRange(list.EnumerateArray().Select(From).OfType<AcmeProblem>());
        }

        string? identifier = null;
        if (element.TryGetProperty("identifier", out var id) && id.ValueKind == JsonValueKind.Object)
        {
            identifier = AcmeJson.String(id, "value");
        }

        return new AcmeProblem(type, AcmeJson.String(element, "detail"), status, subproblems, identifier);
    }

    /// <summary>Reads a problem document body; null when it is not JSON.</summary>
    public static AcmeProblem? Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            return From(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>For logs: <c>unauthorized: detail [name: connection: detail]</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        if (Identifier is not null)
        {
            text.Append(Identifier).Append(": ");
        }

        text.Append(ShortType);
        if (!string.IsNullOrWhiteSpace(Detail))
        {
            text.Append(": ").Append(Detail);
        }

        foreach (var sub in Subproblems)
        {
            text.Append(" [").Append(sub).Append(']');
        }

        return text.ToString();
    }
}
