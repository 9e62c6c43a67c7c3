using MailHost.Certificates.Acme;

namespace MailHost.Tests.Certificates.Acme;

/// <summary>Renewal at two thirds of the lifetime, and the back-off of failed attempts.</summary>
public sealed class AcmeRenewalScheduleTests
{
    [Fact]
    public void A_90_day_certificate_is_renewed_after_60_days()
    {
        var issued = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

        AcmeRenewalSchedule.RenewAt(issued, issued.AddDays(90)).Should().Be(issued.AddDays(60));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(8, 128)]
    [InlineData(11, 1024)]
    [InlineData(12, 1440)] // 2048 minutes is more than a day: capped
    [InlineData(100, 1440)]
    public void Retries_double_from_one_minute_to_one_day(int failures, int minutes)
    {
        AcmeRenewalSchedule.RetryDelay(failures, jitter: 0.5).Should().Be(TimeSpan.FromMinutes(minutes));
    }

    [Fact]
    public void Jitter_spreads_a_retry_by_a_quarter_either_way_but_never_beyond_a_day()
    {
        AcmeRenewalSchedule.RetryDelay(1, jitter: 0).Should().Be(TimeSpan.FromSeconds(45));
        AcmeRenewalSchedule.RetryDelay(1, jitter: 1).Should().Be(TimeSpan.FromSeconds(75));
        AcmeRenewalSchedule.RetryDelay(30, jitter: 1).Should().Be(TimeSpan.FromDays(1));
        AcmeRenewalSchedule.RetryDelay(30, jitter: 0).Should().Be(TimeSpan.FromHours(18));
    }
}
