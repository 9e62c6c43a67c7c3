using System.Net;
using MailHost.Accounts;

namespace MailHost.Tests.Accounts;

/// <summary>The secrets of app passwords (what they look like, how a client may type them) and their lookup tags.</summary>
public sealed class AppPasswordSecretsTests
{
    [Fact]
    public void A_new_secret_is_four_groups_of_six_symbols_of_the_unambiguous_alphabet_and_never_the_same()
    {
        var secrets = Enumerable.Range(0, 200).Select(_ => AppPasswordSecrets.NewSecret()).ToList();

        secrets.Should().OnlyHaveUniqueItems();
        foreach (var secret in secrets)
        {
            secret.Should().MatchRegex("^[a-z2-9]{6}-[a-z2-9]{6}-[a-z2-9]{6}-[a-z2-9]{6}$");
            secret.Should().NotContainAny("0", "1", "i", "l", "o");
        }

        // 200 secrets of 24 symbols use the whole alphabet: the generator is not stuck on a part of it.
        string.Concat(secrets).Replace("-", string.Empty, StringComparison.Ordinal).Distinct().Should().HaveCount(AppPasswordSecrets.Alphabet.Length);
        AppPasswordSecrets.Alphabet.Should().HaveLength(31).And.NotContainAny("0", "1", "i", "l", "o");
        (AppPasswordSecrets.SecretLength * Math.Log2(AppPasswordSecrets.Alphabet.Length)).Should().BeGreaterThan(100, "about 118 bits");
    }

    [Theory]
    [InlineData("k7mq2x-hv9dpa-3ncw8e-tr4fzu", "display form")]
    [InlineData("k7mq2xhv9dpa3ncw8etr4fzu", "without the dashes")]
    [InlineData("K7MQ2X-HV9DPA-3NCW8E-TR4FZU", "upper case, as a phone's keyboard starts a field")]
    [InlineData("k7mq2x hv9dpa 3ncw8e tr4fzu", "spaces instead of dashes")]
    [InlineData(" k7Mq2x-Hv9dpa 3ncw8etr4fzu\t", "a mix, with white space around")]
    [InlineData("k7mq-2xhv-9dpa-3ncw-8etr-4fzu", "grouped in fours, as another provider shows theirs")]
    public void A_secret_is_accepted_with_or_without_separators_and_in_any_case(string typed, string because)
    {
        AppPasswordSecrets.TryNormalize(typed, out var normalized).Should().BeTrue(because);
        normalized.Should().Be("k7mq2xhv9dpa3ncw8etr4fzu");
    }

    [Theory]
    [InlineData("k7mq2x-hv9dpa-3ncw8e-tr4fz", "one symbol short")]
    [InlineData("k7mq2x-hv9dpa-3ncw8e-tr4fzuu", "one symbol too many")]
    [InlineData("k7mq2x-hv9dpa-3ncw8e-tr4fz0", "0 is not in the alphabet")]
    [InlineData("k7mq2x-hv9dpa-3ncw8e-tr4fzl", "l is not in the alphabet")]
    [InlineData("k7mq2x_hv9dpa_3ncw8e_tr4fzu", "underscores are not separators")]
    [InlineData("k7mq2x-hv9dpa-3ncw8e-tr4fzü", "letters outside ASCII")]
    [InlineData("correct horse battery staple", "a main password")]
    [InlineData("", "empty")]
    public void Anything_else_is_not_an_app_password_secret(string typed, string because)
    {
        AppPasswordSecrets.TryNormalize(typed, out var normalized).Should().BeFalse(because);
        normalized.Should().BeNull();
    }

    [Fact]
    public void A_lookup_tag_is_128_bits_keyed_by_the_server_secret()
    {
        var key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var other = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

        var tag = AppPasswordSecrets.LookupTag(key, "k7mq2xhv9dpa3ncw8etr4fzu");

        tag.Should().HaveCount(16);
        AppPasswordSecrets.LookupTag(key, "k7mq2xhv9dpa3ncw8etr4fzu").Should().Equal(tag, "the same secret finds the same record");
        AppPasswordSecrets.LookupTag(key, "k7mq2xhv9dpa3ncw8etr4fzv").Should().NotEqual(tag);
        AppPasswordSecrets.LookupTag(other, "k7mq2xhv9dpa3ncw8etr4fzu").Should().NotEqual(tag, "another directory's key gives another tag");
    }

    [Theory]
    [InlineData("0a1b2c3d", "0a1b2c3d")]
    [InlineData("0A1B2C3D", "0a1b2c3d")]
    [InlineData("0a1b2c3", null)]
    [InlineData("0a1b2c3d4", null)]
    [InlineData("0a1b2c3g", null)]
    [InlineData(null, null)]
    public void Ids_are_eight_hexadecimal_characters_in_any_case(string? id, string? canonical) =>
        AppPasswordSecrets.CanonicalizeId(id).Should().Be(canonical);

    [Fact]
    public void New_ids_are_canonical() =>
        Enumerable.Range(0, 20).Select(_ => AppPasswordSecrets.NewId()).Should().OnlyContain(id => AppPasswordSecrets.CanonicalizeId(id) == id);

    [Theory]
    [InlineData("imap", AppPasswordProtocols.Imap)]
    [InlineData("IMAP, smtp", AppPasswordProtocols.Imap | AppPasswordProtocols.Smtp)]
    [InlineData("pop3,imap,smtp,imap", AppPasswordProtocols.All)]
    public void Protocol_lists_are_read_in_any_case_and_order(string text, AppPasswordProtocols expected)
    {
        AppPasswordFormat.TryParseProtocols(text, out var protocols, out var error).Should().BeTrue(error);
        protocols.Should().Be(expected);
        AppPasswordFormat.ParseStoredProtocols(AppPasswordFormat.ProtocolsText(protocols)).Should().Be(expected, "the stored form reads back");
    }

    [Theory]
    [InlineData("", "the protocol list is empty or has an empty entry; use imap, pop3 and smtp separated by commas")]
    [InlineData("imap,", "the protocol list is empty or has an empty entry; use imap, pop3 and smtp separated by commas")]
    [InlineData("imap,http", "unknown protocol 'http'; use imap, pop3 and smtp separated by commas")]
    [InlineData("submission", "unknown protocol 'submission'; use imap, pop3 and smtp separated by commas")]
    public void Protocol_lists_refuse_the_empty_and_the_unknown(string text, string expected)
    {
        AppPasswordFormat.TryParseProtocols(text, out _, out var error).Should().BeFalse();
        error.Should().Be(expected);
    }

    [Fact]
    public void A_stored_protocol_this_version_does_not_know_grants_nothing() =>
        AppPasswordFormat.ParseStoredProtocols("imap,jmap").Should().Be(AppPasswordProtocols.Imap);

    [Theory]
    [InlineData("192.0.2.0/24", "192.0.2.0/24")]
    [InlineData(" 2001:db8::/48 ", "2001:db8::/48")]
    [InlineData("192.0.2.7", "192.0.2.7/32")]
    [InlineData("2001:db8::7", "2001:db8::7/128")]
    [InlineData("::ffff:192.0.2.0/120", "192.0.2.0/24")]
    public void Networks_are_CIDR_or_one_address(string text, string expected)
    {
        AppPasswordFormat.TryParseNetwork(text, out var network, out var error).Should().BeTrue(error);
        network.ToString().Should().Be(expected);
    }

    [Theory]
    [InlineData("192.0.2.1/24")]
    [InlineData("192.0.2.0/33")]
    [InlineData("example.com")]
    [InlineData("")]
    public void A_network_with_host_bits_or_no_network_at_all_is_refused(string text)
    {
        AppPasswordFormat.TryParseNetwork(text, out _, out var error).Should().BeFalse();
        error.Should().Contain("is not a network");
    }

    [Fact]
    public void A_stored_network_list_that_cannot_be_read_is_refused_whole_rather_than_shortened()
    {
        AppPasswordFormat.TryParseStoredNetworks("192.0.2.0/24 2001:db8::/48", out var networks).Should().BeTrue();
        networks.Select(n => n.ToString()).Should().Equal("192.0.2.0/24", "2001:db8::/48");
        AppPasswordFormat.TryParseStoredNetworks(null, out var none).Should().BeTrue();
        none.Should().BeEmpty();
        AppPasswordFormat.TryParseStoredNetworks("192.0.2.0/24 garbage", out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("192.0.2.77", true)]
    [InlineData("::ffff:192.0.2.77", true)]
    [InlineData("198.51.100.1", false)]
    [InlineData("::ffff:198.51.100.1", false)]
    [InlineData("2001:db8:0:1::5", true)]
    [InlineData("2001:db9::5", false)]
    public void An_app_password_with_networks_allows_only_clients_inside_them_an_IPv4_mapped_client_as_IPv4(string client, bool allowed)
    {
        var appPassword = new AppPasswordInfo(
            "0a1b2c3d", "Phone", AppPasswordProtocols.All, [IPNetwork.Parse("192.0.2.0/24"), IPNetwork.Parse("2001:db8::/48")], null, DateTimeOffset.UnixEpoch, null);

        appPassword.AllowsAddress(IPAddress.Parse(client)).Should().Be(allowed);
        appPassword.AllowsAddress(null).Should().BeFalse("an unknown address is inside no network");
        (appPassword with { Networks = [] }).AllowsAddress(IPAddress.Parse(client)).Should().BeTrue("no networks: any");
    }

    [Theory]
    [InlineData("IMAP", true)]
    [InlineData("SMTP", true)]
    [InlineData("POP3", false)]
    [InlineData("HTTP", false)]
    [InlineData("imap", false)]
    public void An_app_password_allows_its_protocols_and_never_the_console(string protocol, bool allowed)
    {
        var appPassword = new AppPasswordInfo("0a1b2c3d", "Phone", AppPasswordProtocols.Imap | AppPasswordProtocols.Smtp, [], null, DateTimeOffset.UnixEpoch, null);

        appPassword.AllowsProtocol(protocol).Should().Be(allowed);
        (appPassword with { Protocols = AppPasswordProtocols.All }).AllowsProtocol("HTTP").Should().BeFalse();
    }

    [Fact]
    public void An_app_password_expires_at_its_expiry()
    {
        var expires = new DateTimeOffset(2027, 3, 31, 0, 0, 0, TimeSpan.Zero);
        var appPassword = new AppPasswordInfo("0a1b2c3d", "Phone", AppPasswordProtocols.All, [], expires, DateTimeOffset.UnixEpoch, null);

        appPassword.IsExpiredAt(expires.AddTicks(-1)).Should().BeFalse();
        appPassword.IsExpiredAt(expires).Should().BeTrue();
        (appPassword with { Expires = null }).IsExpiredAt(DateTimeOffset.MaxValue).Should().BeFalse();
    }
}
