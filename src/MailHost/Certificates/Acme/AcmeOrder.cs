using System.Text.Json;

namespace MailHost.Certificates.Acme;

/// <summary>An order (RFC 8555 §7.1.3): its status, its authorizations, and where to finalize and fetch the certificate.</summary>
internal sealed record AcmeOrder(string Url, string Status, IReadOnlyList<string> Authorizations, string Finalize, string? Certificate, AcmeProblem? Error)
{
    public static AcmeOrder From(string url, JsonElement element)
    {
        const string What = "order";
        var error = element.TryGetProperty("error", out var e) ? AcmeProblem.From(e) : null;
        return new AcmeOrder(
            url,
            AcmeJson.RequiredString(element, "status", What),
            AcmeJson.Strings(element, "authorizations"),
            AcmeJson.RequiredString(element, "finalize", What),
            AcmeJson.String(element, "certificate"),
            error);
    }
}
