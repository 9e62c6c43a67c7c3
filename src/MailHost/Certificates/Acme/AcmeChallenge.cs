using System.Text.Json;

namespace MailHost.Certificates.Acme;

/// <summary>One challenge of an authorization (RFC 8555 §7.1.5, §8).</summary>
internal sealed record AcmeChallenge(string Type, string Url, string Status, string? Token, AcmeProblem? Error)
{
    /// <summary>The challenge type names on the wire (RFC 8555 §8.3, §8.4; RFC 8737 §3).</summary>
    public static string WireName(AcmeChallengeType type) => type switch
    {
        AcmeChallengeType.Http01 => "http-01",
        AcmeChallengeType.TlsAlpn01 => "tls-alpn-01",
        AcmeChallengeType.Dns01 => "dns-01",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static AcmeChallenge From(JsonElement element)
    {
        const string What = "challenge";
        var error = element.TryGetProperty("error", out var e) ? AcmeProblem.From(e) : null;
        return new AcmeChallenge(
            AcmeJson.RequiredString(element, "type", What),
            AcmeJson.RequiredString(element, "url", What),
            AcmeJson.RequiredString(element, "status", What),
            AcmeJson.String(element, "token"),
            error);
    }
}
