using Microsoft.Extensions.Logging;

namespace MailHost.Logins.OAuth;

/// <summary>The log lines of OAuth 2.0 sign-in (event ids 1150-1159, in the logins range). None carries a token.</summary>
internal static partial class OAuthLog
{
    [LoggerMessage(EventId = 1150, Level = LogLevel.Information,
        Message = "Bearer token refused ({Mechanism}) from {RemoteEndPoint}: {Reason}; checked against issuer {Issuer}")]
    public static partial void Refused(ILogger logger, string mechanism, System.Net.IPEndPoint? remoteEndPoint, string reason, string issuer);

    [LoggerMessage(EventId = 1151, Level = LogLevel.Information,
        Message = "Issuer {Issuer}: metadata and keys fetched again for a token with an unknown key id; {KeyCount} signing keys now")]
    public static partial void Refreshed(ILogger logger, string issuer, int keyCount);

    [LoggerMessage(EventId = 1152, Level = LogLevel.Debug,
        Message = "Issuer {Issuer}: a token has an unknown key id, but the keys were fetched less than {Interval} ago; refused without fetching")]
    public static partial void RefreshLimited(ILogger logger, string issuer, TimeSpan interval);

    [LoggerMessage(EventId = 1153, Level = LogLevel.Warning,
        Message = "Issuer {Issuer}: metadata or keys could not be fetched from {MetadataAddress}: {Error}")]
    public static partial void Unavailable(ILogger logger, string issuer, string metadataAddress, string error);

    [LoggerMessage(EventId = 1154, Level = LogLevel.Warning,
        Message = "Issuer {Issuer}: the metadata at {MetadataAddress} names the issuer '{Named}'; its tokens are refused until the two agree (OpenID Connect Discovery §4.3)")]
    public static partial void IssuerMismatch(ILogger logger, string issuer, string metadataAddress, string? named);

    [LoggerMessage(EventId = 1155, Level = LogLevel.Warning,
        Message = "MailHost:Auth:OAuth names {IssuerCount} issuers, but MailHost:Auth:Mechanisms offers neither OAUTHBEARER nor XOAUTH2: OAuth sign-in is off")]
    public static partial void MechanismsOff(ILogger logger, int issuerCount);
}
