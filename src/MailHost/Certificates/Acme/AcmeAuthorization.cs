using System.Text.Json;

namespace MailHost.Certificates.Acme;

/// <summary>An authorization (RFC 8555 §7.1.4): the identifier it is for, its status and the challenges offered.</summary>
internal sealed record AcmeAuthorization(string Url, string Identifier, string Status, bool Wildcard, IReadOnlyList<AcmeChallenge> Challenges)
{
    public static AcmeAuthorization From(string url, JsonElement element)
    {
        const string What = "authorization";
        var identifier = element.TryGetProperty("identifier", out var id) ? AcmeJson.RequiredString(id, "value", What + " identifier") : null;
        var challenges = element.TryGetProperty("challenges", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(AcmeChallenge.From).ToArray()
            : [];
        return new AcmeAuthorization(
            url,
            identifier ?? throw new AcmeException($"The ACME server's {What} {url} has no identifier."),
            AcmeJson.RequiredString(element, "status", What),
            AcmeJson.Boolean(element, "wildcard"),
            challenges);
    }
}
