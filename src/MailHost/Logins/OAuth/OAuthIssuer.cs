using MailHost.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace MailHost.Logins.OAuth;

/// <summary>
/// One configured issuer and its OpenID Connect metadata and key set, fetched on first use and cached by a
/// <see cref="ConfigurationManager{T}"/> (refreshed in the background every 12 hours). A token with a key id the cache
/// does not hold gets one fetch of its own, at most once per <see cref="OAuthOptions.KeyRefreshInterval"/>
/// (<see cref="RefreshForUnknownKeyAsync"/>). Thread-safe.
/// </summary>
/// <remarks>
/// The forced fetch goes straight to the issuer rather than through <see cref="ConfigurationManager{T}.RequestRefresh"/>:
/// that one refreshes in the background, so the token that asked for it would be refused anyway, and it limits
/// itself by the wall clock. The fresh configuration is served until the manager has one newer than the one it replaced.
/// </remarks>
internal sealed class OAuthIssuer
{
    private readonly ConfigurationManager<OpenIdConnectConfiguration> _manager;
    private readonly HttpDocumentRetriever _retriever;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _refreshInterval;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private Task<OpenIdConnectConfiguration?>? _refreshing;
    private DateTimeOffset _lastRefresh = DateTimeOffset.MinValue;
    private OpenIdConnectConfiguration? _fresh;
    private OpenIdConnectConfiguration? _replaced;

    public OAuthIssuer(OAuthIssuerOptions options, string metadataAddress, HttpClient http, OAuthOptions oauth, TimeProvider timeProvider, ILogger logger)
    {
        Issuer = options.Issuer!;
        MetadataAddress = metadataAddress;
        Audiences = [.. options.Audiences];
        RequiredScope = string.IsNullOrWhiteSpace(options.RequiredScope) ? null : options.RequiredScope.Trim();
        UserClaim = options.UserClaim;
        _retriever = new HttpDocumentRetriever(http) { RequireHttps = options.RequireHttpsMetadata };
        _manager = new ConfigurationManager<OpenIdConnectConfiguration>(metadataAddress, new OpenIdConnectConfigurationRetriever(), _retriever);
        _timeProvider = timeProvider;
        _refreshInterval = oauth.KeyRefreshInterval;
        _logger = logger;
    }

    /// <summary>The issuer identifier, as tokens carry it in <c>iss</c>.</summary>
    public string Issuer { get; }

    /// <summary>Where the metadata is; also what clients are told in a refused token's error (RFC 7628 §3.2.2).</summary>
    public string MetadataAddress { get; }

    /// <summary>The audiences a token must name one of.</summary>
    public IReadOnlyList<string> Audiences { get; }

    /// <summary>The scope a token must carry, or <see langword="null"/>.</summary>
    public string? RequiredScope { get; }

    /// <summary>The claim that names the user.</summary>
    public string UserClaim { get; }

    /// <summary>The metadata and keys: the cached ones, fetched on first use (which may throw when the issuer is unreachable).</summary>
    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken ct)
    {
        var managed = await _manager.GetConfigurationAsync(ct).ConfigureAwait(false);
        lock (_lock)
        {
            if (_fresh is not null && ReferenceEquals(_replaced, managed))
            {
                return _fresh;
            }

            // The manager has fetched since (or nothing was forced): its configuration is the newest.
            _fresh = null;
            _replaced = null;
            return managed;
        }
    }

    /// <summary>
    /// Fetches the metadata and keys again for a token whose key id the cache lacks (a key rotated in early), unless
    /// that was done less than <see cref="OAuthOptions.KeyRefreshInterval"/> ago; attempts that arrive during a fetch wait
    /// for it. Returns the fresh configuration, or <see langword="null"/> when no fetch was allowed or it failed.
    /// </summary>
    public async Task<OpenIdConnectConfiguration?> RefreshForUnknownKeyAsync(CancellationToken ct)
    {
        Task<OpenIdConnectConfiguration?> refreshing;
        lock (_lock)
        {
            var now = _timeProvider.GetUtcNow();
            if (_refreshing is { IsCompleted: false } running)
            {
                refreshing = running;
            }
            else if (now - _lastRefresh < _refreshInterval)
            {
                MailHostMetrics.IssuerKeyRefreshes.Add(1, new KeyValuePair<string, object?>("result", "limited"));
                OAuthLog.RefreshLimited(_logger, Issuer, _refreshInterval);
                return null;
            }
            else
            {
                _lastRefresh = now;
                refreshing = _refreshing = FetchAsync();
            }
        }

        return await refreshing.WaitAsync(ct).ConfigureAwait(false);
    }

    private async Task<OpenIdConnectConfiguration?> FetchAsync()
    {
        // Shared by every attempt waiting for it, so no one client's cancellation ends it; the HTTP timeout bounds it.
        await Task.Yield();
        try
        {
            var managed = await _manager.GetConfigurationAsync(CancellationToken.None).ConfigureAwait(false);
            var fresh = await OpenIdConnectConfigurationRetriever.GetAsync(MetadataAddress, _retriever, CancellationToken.None).ConfigureAwait(false);
            lock (_lock)
            {
                _fresh = fresh;
                _replaced = managed;
            }

            MailHostMetrics.IssuerKeyRefreshes.Add(1, new KeyValuePair<string, object?>("result", "refreshed"));
            OAuthLog.Refreshed(_logger, Issuer, fresh.SigningKeys.Count);
            return fresh;
        }
        catch (Exception ex)
        {
            MailHostMetrics.IssuerKeyRefreshes.Add(1, new KeyValuePair<string, object?>("result", "failed"));
            OAuthLog.Unavailable(_logger, Issuer, MetadataAddress, ex.Message);
            return null;
        }
    }
}
