using System.Text;
using MailHost.Hosting;
using MailHost.Logins;
using MailHost.Logins.OAuth;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace MailHost.Tests.Logins;

/// <summary>Bearer tokens checked against an issuer served from the test on 127.0.0.1, with keys made in the test.</summary>
public sealed class OAuthTokenValidatorTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TestOAuthIssuer _issuer = null!;

    public async Task InitializeAsync()
    {
        _issuer = await TestOAuthIssuer.StartAsync();
        _issuer.Clock = _time;
    }

    public async Task DisposeAsync() => await _issuer.DisposeAsync();

    private OAuthTokenValidator Validator(Action<OAuthIssuerOptions>? issuer = null, Action<OAuthOptions>? oauth = null)
    {
        var options = new OAuthOptions();
        var item = new OAuthIssuerOptions { Issuer = _issuer.Issuer, RequireHttpsMetadata = false };
        item.Audiences.Add(TestOAuthIssuer.Audience);
        issuer?.Invoke(item);
        options.Issuers.Add(item);
        oauth?.Invoke(options);
        return new OAuthTokenValidator(options, _time, NullLogger.Instance);
    }

    private static async Task<OAuthTokenCheck> CheckAsync(OAuthTokenValidator validator, string token) =>
        await validator.ValidateAsync(token, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    [Fact]
    public async Task A_valid_RS256_token_names_its_user_and_issuer()
    {
        using var validator = Validator();
        var check = await CheckAsync(validator, _issuer.Mint());
        check.Outcome.Should().Be(OAuthTokenOutcome.Valid);
        check.User.Should().Be("alice@example.com");
        check.Issuer.Issuer.Should().Be(_issuer.Issuer);
    }

    [Fact]
    public async Task A_valid_ES256_token_is_accepted()
    {
        _issuer.AddEcKey("ec1");
        _issuer.Publish("rsa1", "ec1");
        using var validator = Validator();
        (await CheckAsync(validator, _issuer.Mint("ec1"))).Outcome.Should().Be(OAuthTokenOutcome.Valid);
    }

    [Fact]
    public async Task The_metadata_and_keys_are_fetched_once_and_cached()
    {
        using var validator = Validator();
        for (var i = 0; i < 3; i++)
        {
            (await CheckAsync(validator, _issuer.Mint())).IsValid.Should().BeTrue();
        }

        _issuer.MetadataRequests.Should().Be(1);
        _issuer.JwksRequests.Should().Be(1);
    }

    [Theory]
    [InlineData(-61, false)] // past exp by more than the 60 s skew
    [InlineData(-30, true)] // past exp, within the skew
    public async Task Expiry_allows_the_clock_skew(int expiresInSeconds, bool valid)
    {
        using var validator = Validator();
        var token = _issuer.Mint(customize: d =>
        {
            d.Expires = _time.GetUtcNow().UtcDateTime.AddSeconds(expiresInSeconds);
            d.NotBefore = d.IssuedAt = d.Expires.Value.AddHours(-1);
        });
        (await CheckAsync(validator, token)).Outcome.Should().Be(valid ? OAuthTokenOutcome.Valid : OAuthTokenOutcome.Expired);
    }

    [Fact]
    public async Task A_token_without_exp_is_expired_and_one_before_nbf_not_yet_valid()
    {
        using var validator = Validator();
        (await CheckAsync(validator, _issuer.Mint(customize: d => d.Expires = null))).Outcome.Should().Be(OAuthTokenOutcome.Expired);
        var early = _issuer.Mint(customize: d => d.NotBefore = _time.GetUtcNow().UtcDateTime.AddMinutes(5));
        (await CheckAsync(validator, early)).Outcome.Should().Be(OAuthTokenOutcome.NotYetValid);
        _time.Advance(TimeSpan.FromMinutes(4));
        (await CheckAsync(validator, early)).Outcome.Should().Be(OAuthTokenOutcome.Valid);
    }

    [Fact]
    public async Task A_token_for_another_audience_is_refused()
    {
        using var validator = Validator();
        (await CheckAsync(validator, _issuer.Mint(customize: d => d.Audience = "other-api"))).Outcome.Should().Be(OAuthTokenOutcome.WrongAudience);
    }

    [Fact]
    public async Task A_token_from_another_issuer_is_refused_without_fetching_anything()
    {
        using var validator = Validator();
        var check = await CheckAsync(validator, _issuer.Mint(customize: d => d.Issuer = "https://evil.example.com"));
        check.Outcome.Should().Be(OAuthTokenOutcome.UnknownIssuer);
        _issuer.MetadataRequests.Should().Be(0);
    }

    [Fact]
    public async Task A_required_scope_is_looked_for_in_scope_and_scp()
    {
        using var validator = Validator(i => i.RequiredScope = "mail");
        (await CheckAsync(validator, _issuer.Mint())).Outcome.Should().Be(OAuthTokenOutcome.Valid);
        var without = _issuer.Mint(customize: d => d.Claims["scope"] = "openid profile");
        (await CheckAsync(validator, without)).Outcome.Should().Be(OAuthTokenOutcome.MissingScope);
        var prefix = _issuer.Mint(customize: d => d.Claims["scope"] = "mailbox");
        (await CheckAsync(validator, prefix)).Outcome.Should().Be(OAuthTokenOutcome.MissingScope);
        var scpText = _issuer.Mint(customize: d => { d.Claims.Remove("scope"); d.Claims["scp"] = "Mail.Read mail"; });
        (await CheckAsync(validator, scpText)).Outcome.Should().Be(OAuthTokenOutcome.Valid);
        var scpList = _issuer.Mint(customize: d => { d.Claims.Remove("scope"); d.Claims["scp"] = new[] { "profile", "mail" }; });
        (await CheckAsync(validator, scpList)).Outcome.Should().Be(OAuthTokenOutcome.Valid);
    }

    [Fact]
    public async Task A_tampered_signature_or_payload_is_refused()
    {
        using var validator = Validator();
        var token = _issuer.Mint();
        var parts = token.Split('.');
        var signature = parts[2].ToCharArray();
        signature[10] = signature[10] == 'A' ? 'B' : 'A';
        (await CheckAsync(validator, $"{parts[0]}.{parts[1]}.{new string(signature)}")).Outcome.Should().Be(OAuthTokenOutcome.InvalidSignature);

        // bob's address in alice's signed token.
        var payload = Base64UrlEncoder.Decode(parts[1]).Replace("alice@", "bob@", StringComparison.Ordinal);
        (await CheckAsync(validator, $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}")).Outcome.Should().Be(OAuthTokenOutcome.InvalidSignature);
    }

    [Fact]
    public async Task Unsigned_and_HMAC_tokens_are_refused_before_any_fetch()
    {
        using var validator = Validator();
        var handler = new JsonWebTokenHandler();
        var claims = new Dictionary<string, object> { ["email"] = "alice@example.com" };
        var unsigned = handler.CreateToken(new SecurityTokenDescriptor { Issuer = _issuer.Issuer, Audience = TestOAuthIssuer.Audience, Claims = claims });
        (await CheckAsync(validator, unsigned)).Outcome.Should().Be(OAuthTokenOutcome.UnsupportedAlgorithm);
        var hmac = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _issuer.Issuer,
            Audience = TestOAuthIssuer.Audience,
            Claims = claims,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(new byte[32]) { KeyId = "rsa1" }, SecurityAlgorithms.HmacSha256),
        });
        (await CheckAsync(validator, hmac)).Outcome.Should().Be(OAuthTokenOutcome.UnsupportedAlgorithm);
        _issuer.MetadataRequests.Should().Be(0);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJSUzI1NiJ9.e30")]
    [InlineData("a.b.c.d.e")]
    public async Task Malformed_tokens_are_refused(string token)
    {
        using var validator = Validator();
        (await CheckAsync(validator, token)).Outcome.Should().BeOneOf(OAuthTokenOutcome.Malformed, OAuthTokenOutcome.UnknownIssuer);
    }

    [Fact]
    public async Task The_user_claim_is_configurable_and_an_unverified_email_names_no_user()
    {
        using (var validator = Validator())
        {
            (await CheckAsync(validator, _issuer.Mint(customize: d => d.Claims.Remove("email")))).Outcome.Should().Be(OAuthTokenOutcome.NoUser);
            var unverified = _issuer.Mint(customize: d => d.Claims["email_verified"] = false);
            (await CheckAsync(validator, unverified)).Outcome.Should().Be(OAuthTokenOutcome.NoUser);
            var unverifiedText = _issuer.Mint(customize: d => d.Claims["email_verified"] = "false");
            (await CheckAsync(validator, unverifiedText)).Outcome.Should().Be(OAuthTokenOutcome.NoUser);
            var verified = _issuer.Mint(customize: d => d.Claims["email_verified"] = true);
            (await CheckAsync(validator, verified)).Outcome.Should().Be(OAuthTokenOutcome.Valid);
        }

        using (var validator = Validator(i => i.UserClaim = OAuthIssuerOptions.PreferredUsernameClaim))
        {
            var check = await CheckAsync(validator, _issuer.Mint(customize: d => d.Claims["preferred_username"] = "bob"));
            check.Outcome.Should().Be(OAuthTokenOutcome.Valid);
            check.User.Should().Be("bob");
        }
    }

    [Fact]
    public async Task A_key_rotated_in_early_is_fetched_once_and_accepted()
    {
        using var validator = Validator();
        (await CheckAsync(validator, _issuer.Mint())).IsValid.Should().BeTrue();
        _issuer.AddRsaKey("rsa2");
        _issuer.Publish("rsa1", "rsa2");

        (await CheckAsync(validator, _issuer.Mint("rsa2"))).Outcome.Should().Be(OAuthTokenOutcome.Valid);
        (await CheckAsync(validator, _issuer.Mint("rsa2"))).Outcome.Should().Be(OAuthTokenOutcome.Valid);
        (await CheckAsync(validator, _issuer.Mint())).Outcome.Should().Be(OAuthTokenOutcome.Valid);
        _issuer.JwksRequests.Should().Be(2);
    }

    [Fact]
    public async Task Unknown_key_ids_fetch_at_most_once_per_interval_then_the_rotated_key_is_accepted()
    {
        using var validator = Validator();
        _issuer.AddRsaKey("rsa2");
        var token = _issuer.Mint("rsa2");

        // Not published yet: one fetch decides, and the token is refused.
        (await CheckAsync(validator, token)).Outcome.Should().Be(OAuthTokenOutcome.UnknownKey);
        var fetches = _issuer.JwksRequests;
        fetches.Should().Be(2);

        // Made-up key ids within the interval cost the issuer nothing.
        for (var i = 0; i < 5; i++)
        {
            _issuer.AddRsaKey("junk" + i);
            (await CheckAsync(validator, _issuer.Mint("junk" + i))).Outcome.Should().Be(OAuthTokenOutcome.UnknownKey);
        }

        _issuer.JwksRequests.Should().Be(fetches);

        // The issuer rotates; once the interval has passed, the same token makes one more fetch and is accepted.
        _issuer.Publish("rsa2");
        (await CheckAsync(validator, token)).Outcome.Should().Be(OAuthTokenOutcome.UnknownKey);
        _time.Advance(TimeSpan.FromMinutes(5));
        (await CheckAsync(validator, token)).Outcome.Should().Be(OAuthTokenOutcome.Valid);
        _issuer.JwksRequests.Should().Be(fetches + 1);
    }

    [Fact]
    public async Task An_unreachable_issuer_or_one_that_names_another_issuer_is_unavailable()
    {
        using (var validator = Validator(i => i.MetadataAddress = "http://127.0.0.1:9/.well-known/openid-configuration"))
        {
            (await CheckAsync(validator, _issuer.Mint())).Outcome.Should().Be(OAuthTokenOutcome.Unavailable);
        }

        _issuer.AnnouncedIssuer = "https://elsewhere.example.com";
        using (var validator = Validator())
        {
            (await CheckAsync(validator, _issuer.Mint())).Outcome.Should().Be(OAuthTokenOutcome.Unavailable);
        }
    }

    [Fact]
    public void The_client_error_is_RFC_7628_JSON_with_the_scope_and_discovery_address()
    {
        using var validator = Validator(i => i.RequiredScope = "mail");
        var issuer = validator.Issuers[0];
        Encoding.UTF8.GetString(OAuthTokenValidator.ErrorChallenge(new OAuthTokenCheck(OAuthTokenOutcome.Expired, issuer)))
            .Should().Be($"{{\"status\":\"invalid_token\",\"scope\":\"mail\",\"openid-configuration\":\"{_issuer.MetadataAddress}\"}}");
        Encoding.UTF8.GetString(OAuthTokenValidator.ErrorChallenge(new OAuthTokenCheck(OAuthTokenOutcome.MissingScope, issuer)))
            .Should().StartWith("{\"status\":\"insufficient_scope\",");
        using var noScope = Validator();
        Encoding.UTF8.GetString(OAuthTokenValidator.ErrorChallenge(new OAuthTokenCheck(OAuthTokenOutcome.Expired, noScope.Issuers[0])))
            .Should().Be($"{{\"status\":\"invalid_token\",\"openid-configuration\":\"{_issuer.MetadataAddress}\"}}");
    }

    [Theory]
    [InlineData("Issuers:0:Issuer", "")]
    [InlineData("Issuers:0:Issuer", "not a url")]
    [InlineData("Issuers:0:Issuer", "http://login.example.com")] // http with RequireHttpsMetadata on
    [InlineData("Issuers:0:RequireHttpsMetadata", "http://192.0.2.1")] // off, but not a loopback issuer
    [InlineData("Issuers:0:MetadataAddress", "ftp://127.0.0.1/x")]
    [InlineData("Issuers:0:Audiences", null)]
    [InlineData("Issuers:0:UserClaim", "sub")]
    [InlineData("ClockSkew", null)]
    [InlineData("KeyRefreshInterval", null)]
    [InlineData("MetadataTimeout", null)]
    [InlineData("Issuers:1:Issuer", null)] // the same issuer twice
    public void Invalid_settings_name_their_key(string key, string? value)
    {
        var options = new OAuthOptions();
        var issuer = new OAuthIssuerOptions { Issuer = "https://login.example.com" };
        issuer.Audiences.Add("mail");
        options.Issuers.Add(issuer);
        switch (key)
        {
            case "Issuers:0:Issuer":
                issuer.Issuer = value;
                break;
            case "Issuers:0:RequireHttpsMetadata":
                issuer.Issuer = value;
                issuer.RequireHttpsMetadata = false;
                break;
            case "Issuers:0:MetadataAddress":
                issuer.Issuer = "http://127.0.0.1:5000";
                issuer.RequireHttpsMetadata = false;
                issuer.MetadataAddress = value;
                break;
            case "Issuers:0:Audiences":
                issuer.Audiences.Clear();
                break;
            case "Issuers:0:UserClaim":
                issuer.UserClaim = value!;
                break;
            case "ClockSkew":
                options.ClockSkew = TimeSpan.FromMinutes(10);
                break;
            case "KeyRefreshInterval":
                options.KeyRefreshInterval = TimeSpan.Zero;
                break;
            case "MetadataTimeout":
                options.MetadataTimeout = TimeSpan.Zero;
                break;
            default:
                var twin = new OAuthIssuerOptions { Issuer = issuer.Issuer };
                twin.Audiences.Add("mail");
                options.Issuers.Add(twin);
                break;
        }

        var create = () => new OAuthTokenValidator(options, _time, NullLogger.Instance);
        create.Should().Throw<MailHostConfigurationException>().Which.Key.Should().Be("MailHost:Auth:OAuth:" + key);
    }
}
