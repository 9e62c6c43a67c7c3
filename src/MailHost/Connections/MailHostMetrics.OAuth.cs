using System.Diagnostics.Metrics;

namespace MailHost.Connections;

/// <summary>The instruments of OAuth 2.0 sign-in (OAUTHBEARER, XOAUTH2).</summary>
public static partial class MailHostMetrics
{
    internal static readonly Counter<long> BearerTokens = Meter.CreateCounter<long>(
        "mailhost.auth.tokens", unit: "{token}",
        description: "Bearer tokens checked (OAUTHBEARER, XOAUTH2), by result (valid, expired, invalid_signature, unknown_key, ...).");

    internal static readonly Counter<long> IssuerKeyRefreshes = Meter.CreateCounter<long>(
        "mailhost.auth.issuer_key_refreshes", unit: "{refresh}",
        description: "Fetches of an issuer's keys for a token with an unknown key id, by result (refreshed, failed, limited).");
}
