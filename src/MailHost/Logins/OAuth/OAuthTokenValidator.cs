using System.Net;
using System.Text.Json;
using MailHost.Connections;
using MailHost.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace MailHost.Logins.OAuth;

/// <summary>
/// Checks OAuth 2.0 bearer tokens (JWT access tokens, RFC 9068) against the configured OpenID Connect issuers: the
/// issuer named in <c>iss</c>, a signature by a key of its key set (JWKS) with an allowed algorithm, an audience of
/// this server, <c>exp</c> and <c>nbf</c> within the clock skew, the required scope, and the user claim. Client data
/// never makes it throw; an issuer it cannot reach gives <see cref="OAuthTokenOutcome.Unavailable"/>. Thread-safe;
/// one per host (it owns the HTTP client the issuers are fetched with).
/// </summary>
internal sealed class OAuthTokenValidator : IDisposable
{
    /// <summary>
    /// The signature algorithms accepted (RFC 7518 §3.1): RSA PKCS#1, RSA-PSS and ECDSA. Never <c>none</c>, and never
    /// HMAC, whose key would be a secret shared with every client of the issuer.
    /// </summary>
    public static readonly IReadOnlyList<string> Algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    private const string Section = AuthenticationOptions.SectionName + ":OAuth";

    // A discovery document and a key set are a few kilobytes; anything near this is not one.
    private const int MaxMetadataSize = 1024 * 1024;

    private readonly OAuthIssuer[] _issuers;
    private readonly TimeSpan _clockSkew;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <summary>Creates the validator for <paramref name="options"/>, which must name at least one issuer.</summary>
    /// <exception cref="MailHostConfigurationException">A setting is out of range; the message names the key.</exception>
    public OAuthTokenValidator(OAuthOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        var metadataAddresses = Validate(options);
        _clockSkew = options.ClockSkew;
        _timeProvider = timeProvider;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false })
        {
            Timeout = options.MetadataTimeout,
            MaxResponseContentBufferSize = MaxMetadataSize,
        };
        _issuers = [.. options.Issuers.Select((issuer, i) => new OAuthIssuer(issuer, metadataAddresses[i], _http, options, timeProvider, logger))];
    }

    /// <summary>The configured issuers, in configuration order.</summary>
    public IReadOnlyList<OAuthIssuer> Issuers => _issuers;

    /// <summary>Checks <paramref name="token"/> (the b64token of an <c>auth=Bearer</c> value).</summary>
    public async ValueTask<OAuthTokenCheck> ValidateAsync(string token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(token);
        var check = await CheckAsync(token, ct).ConfigureAwait(false);
        MailHostMetrics.BearerTokens.Add(1, new KeyValuePair<string, object?>("result", check.Tag));
        return check;
    }

    /// <summary>
    /// The error a client is sent for a refused token (RFC 7628 §3.2.2): <c>status</c> (RFC 6750 §3.1
    /// <c>insufficient_scope</c> for a missing scope, else <c>invalid_token</c>), the <c>scope</c> the issuer's tokens need
    /// when one is configured, and the <c>openid-configuration</c> where the client can find the issuer. UTF-8 JSON.
    /// </summary>
    public static byte[] ErrorChallenge(OAuthTokenCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", check.Outcome == OAuthTokenOutcome.MissingScope ? "insufficient_scope" : "invalid_token");
            if (check.Issuer.RequiredScope is { } scope)
            {
                json.WriteString("scope", scope);
            }

            json.WriteString("openid-configuration", check.Issuer.MetadataAddress);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Whether <paramref name="host"/> is a loopback address or <c>localhost</c>.</summary>
    private static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>Checks the options and returns each issuer's metadata address.</summary>
    private static string[] Validate(OAuthOptions options)
    {
        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > TimeSpan.FromMinutes(5))
        {
            throw MailHostConfigurationException.For(Section + ":ClockSkew", $"{options.ClockSkew} is not between 00:00:00 and 00:05:00.");
        }

        if (options.KeyRefreshInterval < TimeSpan.FromSeconds(1))
        {
            throw MailHostConfigurationException.For(Section + ":KeyRefreshInterval", $"{options.KeyRefreshInterval} is shorter than 00:00:01; it keeps made-up key ids from making MailHost hammer the issuer.");
        }

        if (options.MetadataTimeout <= TimeSpan.Zero || options.MetadataTimeout > TimeSpan.FromMinutes(2))
        {
            throw MailHostConfigurationException.For(Section + ":MetadataTimeout", $"{options.MetadataTimeout} is not between 00:00:00 and 00:02:00.");
        }

        var addresses = new string[options.Issuers.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Issuers.Count; i++)
        {
            var issuer = options.Issuers[i];
            var key = $"{Section}:Issuers:{i}:";
            if (issuer is null || string.IsNullOrWhiteSpace(issuer.Issuer))
            {
                throw MailHostConfigurationException.For(key + "Issuer", "is required: the issuer identifier exactly as tokens carry it in iss.");
            }

            var https = issuer.RequireHttpsMetadata;
            var issuerUri = CheckUrl(key + "Issuer", issuer.Issuer, https);
            if (!seen.Add(issuer.Issuer))
            {
                throw MailHostConfigurationException.For(key + "Issuer", $"'{issuer.Issuer}' is configured twice.");
            }

            addresses[i] = string.IsNullOrWhiteSpace(issuer.MetadataAddress)
                ? issuer.Issuer.TrimEnd('/') + "/.well-known/openid-configuration"
                : issuer.MetadataAddress;
            var metadataUri = CheckUrl(key + "MetadataAddress", addresses[i], https);
            if (!https && (!IsLoopback(issuerUri.Host) || !IsLoopback(metadataUri.Host)))
            {
                throw MailHostConfigurationException.For(
                    key + "RequireHttpsMetadata", "may be false only for an issuer on a loopback address (a test or a local identity provider).");
            }

            if (issuer.Audiences.Count == 0 || issuer.Audiences.Any(string.IsNullOrWhiteSpace))
            {
                throw MailHostConfigurationException.For(key + "Audiences", "needs at least one audience (the identifier the issuer gives this mail server), none of them empty.");
            }

            if (issuer.UserClaim is not (OAuthIssuerOptions.EmailClaim or OAuthIssuerOptions.PreferredUsernameClaim or OAuthIssuerOptions.UpnClaim))
            {
                throw MailHostConfigurationException.For(key + "UserClaim", $"'{issuer.UserClaim}' is not a user claim; use email, preferred_username or upn.");
            }
        }

        return addresses;
    }

    private static Uri CheckUrl(string key, string value, bool requireHttps)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw MailHostConfigurationException.For(key, $"'{value}' is not an absolute https URL.");
        }

        if (requireHttps && uri.Scheme != "https")
        {
            throw MailHostConfigurationException.For(key, $"'{value}' is not https; RequireHttpsMetadata may be turned off only for a loopback issuer.");
        }

        return uri;
    }

    private static bool HasKey(OpenIdConnectConfiguration configuration, string keyId) =>
        configuration.SigningKeys.Any(key => string.Equals(key.KeyId, keyId, StringComparison.Ordinal));

    private static OAuthTokenOutcome Classify(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException or SecurityTokenNoExpirationException => OAuthTokenOutcome.Expired,
        SecurityTokenNotYetValidException => OAuthTokenOutcome.NotYetValid,
        SecurityTokenInvalidAudienceException => OAuthTokenOutcome.WrongAudience,
        SecurityTokenInvalidIssuerException => OAuthTokenOutcome.UnknownIssuer,
        SecurityTokenInvalidAlgorithmException => OAuthTokenOutcome.UnsupportedAlgorithm,
        SecurityTokenSignatureKeyNotFoundException => OAuthTokenOutcome.UnknownKey,
        SecurityTokenInvalidSignatureException => OAuthTokenOutcome.InvalidSignature,
        SecurityTokenMalformedException => OAuthTokenOutcome.Malformed,
        _ => OAuthTokenOutcome.Invalid,
    };

    /// <summary>
    /// RFC 7519 §4.1.4 and §4.1.5 against this host's clock with <see cref="OAuthOptions.ClockSkew"/>: <c>exp</c> is
    /// required (RFC 9068 §2.2), <c>nbf</c> optional. <see langword="null"/> when the token is in date.
    /// </summary>
    private OAuthTokenOutcome? CheckLifetime(JsonWebToken jwt)
    {
        var now = _timeProvider.GetUtcNow().UtcDateTime;
        if (jwt.ValidTo == DateTime.MinValue || now > jwt.ValidTo.Add(_clockSkew))
        {
            return OAuthTokenOutcome.Expired;
        }

        return jwt.ValidFrom != DateTime.MinValue && now.Add(_clockSkew) < jwt.ValidFrom ? OAuthTokenOutcome.NotYetValid : null;
    }

    /// <summary>RFC 8693 §4.2 <c>scope</c> (space-separated) or <c>scp</c> (Entra ID's text, Okta's list).</summary>
    private static bool HasScope(JsonWebToken jwt, string required)
    {
        foreach (var claim in (ReadOnlySpan<string>)["scope", "scp"])
        {
            if (jwt.TryGetPayloadValue<string>(claim, out var text)
                && text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(required, StringComparer.Ordinal))
            {
                return true;
            }

            if (jwt.TryGetPayloadValue<List<string>>(claim, out var list) && list.Contains(required, StringComparer.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The user claim's value, or <see langword="null"/>; an email the token marks unverified does not count.</summary>
    private static string? UserOf(JsonWebToken jwt, string claim)
    {
        if (!jwt.TryGetPayloadValue<string>(claim, out var user) || !AuthenticationLimits.IsAcceptableLogin(user))
        {
            return null;
        }

        // OpenID Connect Core §5.1: email_verified false means the address was never proven to be the user's. Some
        // issuers send it as text.
        if (claim == OAuthIssuerOptions.EmailClaim
            && ((jwt.TryGetPayloadValue<bool>("email_verified", out var verified) && !verified)
                || (jwt.TryGetPayloadValue<string>("email_verified", out var text) && string.Equals(text, "false", StringComparison.OrdinalIgnoreCase))))
        {
            return null;
        }

        return user;
    }

    private async ValueTask<OAuthTokenCheck> CheckAsync(string token, CancellationToken ct)
    {
        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return new(OAuthTokenOutcome.Malformed, _issuers[0]);
        }

        // RFC 9068 access tokens are signed; an encrypted one (JWE) would need a key this server does not have.
        if (jwt.IsEncrypted)
        {
            return new(OAuthTokenOutcome.Malformed, _issuers[0]);
        }

        var issuer = Array.Find(_issuers, candidate => string.Equals(candidate.Issuer, jwt.Issuer, StringComparison.Ordinal));
        if (issuer is null)
        {
            return new(OAuthTokenOutcome.UnknownIssuer, _issuers[0]);
        }

        // Refused before any key lookup: a made-up algorithm must not cost a metadata fetch.
        if (!Algorithms.Contains(jwt.Alg, StringComparer.Ordinal))
        {
            return new(OAuthTokenOutcome.UnsupportedAlgorithm, issuer);
        }

        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await issuer.GetConfigurationAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            OAuthLog.Unavailable(_logger, issuer.Issuer, issuer.MetadataAddress, ex.Message);
            return new(OAuthTokenOutcome.Unavailable, issuer);
        }

        if (!string.Equals(configuration.Issuer, issuer.Issuer, StringComparison.Ordinal))
        {
            OAuthLog.IssuerMismatch(_logger, issuer.Issuer, issuer.MetadataAddress, configuration.Issuer);
            return new(OAuthTokenOutcome.Unavailable, issuer);
        }

        var keyId = jwt.Kid;
        if (!string.IsNullOrEmpty(keyId) && !HasKey(configuration, keyId))
        {
            // A key rotated in before the cache's next refresh, or a made-up key id: one fetch decides, rate-limited.
            var fresh = await issuer.RefreshForUnknownKeyAsync(ct).ConfigureAwait(false);
            if (fresh is null || !HasKey(fresh, keyId))
            {
                return new(OAuthTokenOutcome.UnknownKey, issuer);
            }

            configuration = fresh;
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = issuer.Issuer,
            ValidAudiences = issuer.Audiences,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidAlgorithms = Algorithms,
            RequireSignedTokens = true,

            // Checked below against the host's clock (TimeProvider), once the signature is known to be good.
            ValidateLifetime = false,

            // With a key id only that key may verify; without one (an issuer with a single key may omit it), any of the set.
            TryAllIssuerSigningKeys = string.IsNullOrEmpty(keyId),
            LogValidationExceptions = false,
        };
        TokenValidationResult result;
        try
        {
            result = await _handler.ValidateTokenAsync(jwt, parameters).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The handler reports failures in its result; anything it throws is a token it could not handle either.
            return new(OAuthTokenOutcome.Invalid, issuer);
        }

        if (!result.IsValid)
        {
            return new(Classify(result.Exception), issuer);
        }

        if (CheckLifetime(jwt) is { } lifetime)
        {
            return new(lifetime, issuer);
        }

        if (issuer.RequiredScope is { } scope && !HasScope(jwt, scope))
        {
            return new(OAuthTokenOutcome.MissingScope, issuer);
        }

        return UserOf(jwt, issuer.UserClaim) is { } user
            ? new(OAuthTokenOutcome.Valid, issuer, user)
            : new(OAuthTokenOutcome.NoUser, issuer);
    }
}
