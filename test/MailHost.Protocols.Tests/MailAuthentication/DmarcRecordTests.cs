using MailHost.Protocols.MailAuthentication;

namespace MailHost.Protocols.Tests.MailAuthentication;

public class DmarcRecordTests
{
    [Theory]
    [InlineData("v=DMARC1; p=none", true)]
    [InlineData("v=DMARC1", true)]
    [InlineData("v = DMARC1 ; p=reject", true)]
    [InlineData("v=dmarc1; p=none", false)]
    [InlineData("v=DMARC10; p=none", false)]
    [InlineData("p=none; v=DMARC1", false)]
    [InlineData("v=spf1 -all", false)]
    public void Record_selection_needs_v_DMARC1_first(string txt, bool selected)
        => DmarcRecord.IsDmarcRecord(txt).Should().Be(selected);

    [Fact]
    public void All_tags_parse()
    {
        DmarcRecord.TryParse("v=DMARC1; p=Quarantine; sp=reject; adkim=s; aspf=s; pct=25; rua=mailto:agg@example.com!10m, mailto:second@example.com; ruf=mailto:f@example.com; fo=1; ri=3600", out var record, out var error).Should().BeTrue(error);
        record!.Should().BeEquivalentTo(new
        {
            Policy = DmarcPolicy.Quarantine,
            SubdomainPolicy = DmarcPolicy.Reject,
            DkimAlignment = DmarcAlignmentMode.Strict,
            SpfAlignment = DmarcAlignmentMode.Strict,
            Percent = 25,
            AggregateReportUris = new[] { "mailto:agg@example.com", "mailto:second@example.com" },
            FailureReportUris = new[] { "mailto:f@example.com" },
            FailureOptions = "1",
            ReportInterval = 3600L,
        });
    }

    [Fact]
    public void Defaults_and_invalid_optional_values_fall_back()
    {
        DmarcRecord.TryParse("v=DMARC1; p=reject; adkim=x; pct=250; ri=soon; rua=not a uri", out var record, out _).Should().BeTrue();
        record!.Should().BeEquivalentTo(new
        {
            Policy = DmarcPolicy.Reject,
            SubdomainPolicy = (DmarcPolicy?)null,
            DkimAlignment = DmarcAlignmentMode.Relaxed,
            SpfAlignment = DmarcAlignmentMode.Relaxed,
            Percent = 100,
            ReportInterval = 86400L,
            AggregateReportUris = Array.Empty<string>(),
        });
    }

    [Fact]
    public void An_invalid_p_with_a_valid_rua_reads_as_p_none()
    {
        DmarcRecord.TryParse("v=DMARC1; p=bogus; rua=mailto:a@example.com", out var record, out _).Should().BeTrue();
        record!.Policy.Should().Be(DmarcPolicy.None);
    }

    [Theory]
    [InlineData("v=DMARC1", "p=")]
    [InlineData("v=DMARC1; p=bogus", "p=")]
    [InlineData("v=DMARC1; p=none; sp=bogus", "sp=")]
    public void Without_a_usable_policy_the_record_is_unusable(string txt, string reason)
    {
        DmarcRecord.TryParse(txt, out _, out var error).Should().BeFalse();
        error.Should().Contain(reason);
    }
}
