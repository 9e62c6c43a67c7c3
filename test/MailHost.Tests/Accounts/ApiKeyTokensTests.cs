using System.Buffers.Text;
using System.Security.Cryptography;
using MailHost.Accounts;

namespace MailHost.Tests.Accounts;

public sealed class ApiKeyTokensTests
{
    [Fact]
    public void A_new_token_parses_back_to_its_id_and_the_hash_of_its_secret()
    {
        var id = ApiKeyTokens.NewId();

        var (token, hash) = ApiKeyTokens.NewToken(id);

        id.Should().MatchRegex("^[0-9a-f]{12}$");
        token.Should().StartWith("mhk_" + id + "_").And.HaveLength(60);
        ApiKeyTokens.TryParse(token, out var parsedId, out var parsedHash).Should().BeTrue();
        parsedId.Should().Be(id);
        parsedHash.Should().Equal(hash).And.Equal(SHA256.HashData(Base64Url.DecodeFromChars(token.AsSpan(17))));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("mhk_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("mhk_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB")]
    [InlineData("mhk_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("mhk_0123456789ab_AAAAAAAAAAAAAAAAAAAAA AAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("mhk_0123456789AB_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("mhk_0123456789ag_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("mhk_0123456789abxAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("xhk_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Anything_but_the_one_canonical_form_is_refused(string? token)
        => ApiKeyTokens.TryParse(token, out _, out _).Should().BeFalse();

    [Fact]
    public void The_all_zero_secret_in_canonical_form_parses()
        => ApiKeyTokens.TryParse("mhk_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", out _, out _).Should().BeTrue();

    [Theory]
    [InlineData("0123456789ab", "0123456789ab")]
    [InlineData("0123456789AB", "0123456789ab")]
    [InlineData("0123456789a", null)]
    [InlineData("0123456789abc", null)]
    [InlineData("0123456789ag", null)]
    [InlineData(null, null)]
    public void Key_ids_are_canonicalised_to_lowercase(string? id, string? expected)
        => ApiKeyTokens.CanonicalizeId(id).Should().Be(expected);
}
