using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MailHost.Tests.Logins;

/// <summary>
/// An OpenID Connect issuer on 127.0.0.1:0 for tests: it serves its discovery document and key set (JWKS) over plain
/// HTTP and mints JWT access tokens with keys made in the test. Keys can be made before they are published, so a test
/// can rotate them; the requests it serves are counted.
/// </summary>
public sealed class TestOAuthIssuer : IAsyncDisposable
{
    public const string Audience = "mail.example.com";

    private readonly WebApplication _app;
    private readonly Dictionary<string, SigningCredentials> _keys = new(StringComparer.Ordinal);
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private volatile string[] _published = [];
    private int _jwksRequests;
    private int _metadataRequests;

    private TestOAuthIssuer(WebApplication app) => _app = app;

    /// <summary>The issuer identifier, <c>http://127.0.0.1:port</c>.</summary>
    public string Issuer { get; private set; } = null!;

    public string MetadataAddress => Issuer + "/.well-known/openid-configuration";

    /// <summary>The issuer named in the discovery document; by default <see cref="Issuer"/>.</summary>
    public string? AnnouncedIssuer { get; set; }

    /// <summary>The clock tokens are minted by (a test's fake clock, or the system's).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    public int MetadataRequests => Volatile.Read(ref _metadataRequests);

    /// <summary>Starts the issuer with one RSA key, <c>rsa1</c>, published.</summary>
    public static async Task<TestOAuthIssuer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var issuer = new TestOAuthIssuer(app);
        app.MapGet("/.well-known/openid-configuration", issuer.MetadataAsync);
        app.MapGet("/jwks", issuer.KeysAsync);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        issuer.Issuer = app.Urls.Single().Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        issuer.AddRsaKey("rsa1");
        issuer.Publish("rsa1");
        return issuer;
    }

    /// <summary>Makes an RS256 key (not yet published).</summary>
    public void AddRsaKey(string keyId) =>
        _keys[keyId] = new SigningCredentials(new RsaSecurityKey(RSA.Create(2048)) { KeyId = keyId }, SecurityAlgorithms.RsaSha256);

    /// <summary>Makes an ES256 key (not yet published).</summary>
    public void AddEcKey(string keyId) =>
        _keys[keyId] = new SigningCredentials(new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = keyId }, SecurityAlgorithms.EcdsaSha256);

    /// <summary>Publishes exactly these keys in the JWKS from now on.</summary>
    public void Publish(params string[] keyIds) => _published = keyIds;

    /// <summary>
    /// Mints a token: issued by this issuer for <see cref="Audience"/>, valid from five minutes ago for an hour, with
    /// <c>email</c> alice@example.com and <c>scope</c> "openid mail"; <paramref name="customize"/> changes any of it.
    /// </summary>
    public string Mint(string keyId = "rsa1", Action<SecurityTokenDescriptor>? customize = null)
    {
        var now = Clock.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now.AddMinutes(-5),
            NotBefore = now.AddMinutes(-5),
            Expires = now.AddHours(1),
            SigningCredentials = _keys[keyId],
            Claims = new Dictionary<string, object> { ["email"] = "alice@example.com", ["scope"] = "openid mail" },
        };
        customize?.Invoke(descriptor);
        return _handler.CreateToken(descriptor);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await _app.DisposeAsync();
    }

    private static Dictionary<string, string> Jwk(SecurityKey key)
    {
        var jwk = new Dictionary<string, string> { ["use"] = "sig", ["kid"] = key.KeyId };
        if (key is RsaSecurityKey rsa)
        {
            var p = rsa.Rsa.ExportParameters(false);
            jwk["kty"] = "RSA";
            jwk["alg"] = "RS256";
            jwk["n"] = Base64UrlEncoder.Encode(p.Modulus);
            jwk["e"] = Base64UrlEncoder.Encode(p.Exponent);
        }
        else
        {
            var p = ((ECDsaSecurityKey)key).ECDsa.ExportParameters(false);
            jwk["kty"] = "EC";
            jwk["alg"] = "ES256";
            jwk["crv"] = "P-256";
            jwk["x"] = Base64UrlEncoder.Encode(p.Q.X);
            jwk["y"] = Base64UrlEncoder.Encode(p.Q.Y);
        }

        return jwk;
    }

    private Task MetadataAsync(HttpContext context)
    {
        Interlocked.Increment(ref _metadataRequests);
        return context.Response.WriteAsJsonAsync(new Dictionary<string, object>
        {
            ["issuer"] = AnnouncedIssuer ?? Issuer,
            ["jwks_uri"] = Issuer + "/jwks",
            ["authorization_endpoint"] = Issuer + "/authorize",
            ["token_endpoint"] = Issuer + "/token",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256", "ES256" },
        });
    }

    private Task KeysAsync(HttpContext context)
    {
        Interlocked.Increment(ref _jwksRequests);
        var keys = _published.Select(id => Jwk(_keys[id].Key)).ToArray();
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { keys }));
    }
}
