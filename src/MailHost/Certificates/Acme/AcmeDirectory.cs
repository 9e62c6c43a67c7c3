using System.Text.Json;

namespace MailHost.Certificates.Acme;

/// <summary>The ACME server's directory (RFC 8555 §7.1.1): the URLs of its resources.</summary>
internal sealed record AcmeDirectory(string NewNonce, string NewAccount, string NewOrder, string? TermsOfService, bool ExternalAccountRequired)
{
    public static AcmeDirectory From(JsonElement element)
    {
        const string What = "directory";
        var meta = element.TryGetProperty("meta", out var m) ? m : default;
        return new AcmeDirectory(
            AcmeJson.RequiredString(element, "newNonce", What),
            AcmeJson.RequiredString(element, "newAccount", What),
            AcmeJson.RequiredString(element, "newOrder", What),
            AcmeJson.String(meta, "termsOfService"),
            AcmeJson.Boolean(meta, "externalAccountRequired"));
    }
}
