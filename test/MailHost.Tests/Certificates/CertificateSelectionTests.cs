using MailHost.Certificates;

namespace MailHost.Tests.Certificates;

/// <summary>Which certificate a client gets for the server name it sends (RFC 6066 §3, RFC 6125 §6.4).</summary>
public sealed class CertificateSelectionTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static CertificateEntry Entry(string name, params string[] dnsNames) =>
        CertificateEntry.Create(name, "test", TestCertificates.Create(Now, dnsNames), intermediates: null);

    private static readonly CertificateEntry Fallback = Entry(IServerCertificateRegistry.DefaultName, "mail.default.example");
    private static readonly CertificateEntry A = Entry("a", "mail.a.example", "imap.a.example");
    private static readonly CertificateEntry B = Entry("b", "mail.b.example");
    private static readonly CertificateEntry Wildcard = Entry("wild", "*.w.example");
    private static readonly CertificateSelection Selection = CertificateSelection.Build([Fallback, A, B, Wildcard], IServerCertificateRegistry.DefaultName);

    [Theory]
    [InlineData("mail.a.example", "a")]
    [InlineData("imap.a.example", "a")]
    [InlineData("mail.b.example", "b")]
    [InlineData("mail.default.example", "default")]
    [InlineData("MAIL.B.Example", "b")] // RFC 4343: DNS names compare case-insensitively
    [InlineData("mail.b.example.", "b")] // an absolute name with its trailing dot
    public void An_exact_name_gets_its_certificate(string serverName, string expected) =>
        Selection.Select(serverName)!.Name.Should().Be(expected);

    [Theory]
    [InlineData("imap.w.example", "wild")]
    [InlineData("smtp.w.example", "wild")]
    [InlineData("w.example", "default")] // RFC 6125 §6.4.3: the wildcard stands for one label, never for none
    [InlineData("a.b.w.example", "default")] // nor for two
    public void A_wildcard_matches_exactly_one_label(string serverName, string expected) =>
        Selection.Select(serverName)!.Name.Should().Be(expected);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("unknown.example")]
    [InlineData("localhost")]
    public void No_name_or_an_unknown_name_gets_the_default(string? serverName) =>
        Selection.Select(serverName).Should().BeSameAs(Fallback);

    [Fact]
    public void An_exact_name_wins_over_a_wildcard()
    {
        var exact = Entry("z-exact", "imap.w.example");
        var selection = CertificateSelection.Build([Wildcard, exact], IServerCertificateRegistry.DefaultName);

        selection.Select("imap.w.example").Should().BeSameAs(exact);
        selection.Select("pop.w.example").Should().BeSameAs(Wildcard);
    }

    [Fact]
    public void A_name_two_certificates_claim_goes_to_a_named_one_before_the_default()
    {
        var defaultForA = Entry(IServerCertificateRegistry.DefaultName, "mail.a.example");
        var selection = CertificateSelection.Build([defaultForA, A], IServerCertificateRegistry.DefaultName);

        selection.Select("mail.a.example").Should().BeSameAs(A);
        selection.Select(null).Should().BeSameAs(defaultForA);
    }

    [Fact]
    public void Without_a_default_the_first_certificate_by_name_answers_clients_without_SNI()
    {
        var selection = CertificateSelection.Build([B, A], IServerCertificateRegistry.DefaultName);

        selection.Select(null).Should().BeSameAs(A);
        selection.Select("other.example").Should().BeSameAs(A);
    }

    [Fact]
    public void Partial_and_top_level_wildcards_are_not_honoured()
    {
        var odd = Entry("odd", "m*.p.example", "*.com");
        var selection = CertificateSelection.Build([Fallback, odd], IServerCertificateRegistry.DefaultName);

        selection.Select("mail.p.example").Should().BeSameAs(Fallback);
        selection.Select("example.com").Should().BeSameAs(Fallback);
    }

    [Fact]
    public void A_certificate_without_DNS_names_serves_its_common_name()
    {
        // RFC 6125 §6.4.4: the common name counts only when the certificate has no DNS subject alternative name.
        var legacy = CertificateEntry.Create("legacy", "test", TestCertificates.Create("CN=old.example", [], Now.AddDays(-1), Now.AddDays(1)), null);

        legacy.DnsNames.Should().Equal("old.example");
        CertificateSelection.Build([Fallback, legacy], IServerCertificateRegistry.DefaultName).Select("old.example").Should().BeSameAs(legacy);
    }

    [Fact]
    public void An_empty_selection_has_nothing_to_serve() =>
        CertificateSelection.Empty.Select("mail.a.example").Should().BeNull();
}
