using MailHost.Smtp;
using MailHost.Tests.Logins;

namespace MailHost.Tests.Smtp;

/// <summary>The whole-unit SMTP deadline with a minimum data rate (issue 17 item 7).</summary>
public sealed class SmtpReadDeadlineTests
{
    private static readonly TimeSpan DataTimeout = TimeSpan.FromMinutes(3);

    [Theory]
    // A byte every 100 s earns 2 ms against 100 s spent.
    [InlineData(180, 100, 1, 500, 80.002)]
    // Fast content never earns more than the timeout.
    [InlineData(180, 1, 100_000, 500, 180)]
    // Exactly at the rate: the budget stands still.
    [InlineData(60, 2, 1000, 500, 60)]
    // A pause longer than the budget spends it; nothing is negative.
    [InlineData(10, 30, 0, 500, 0)]
    // Without a rate nothing is earned: everything within the timeout.
    [InlineData(180, 10, 1_000_000, 0, 170)]
    public void The_budget_falls_with_time_and_rises_with_octets_up_to_the_timeout(double budget, double elapsed, long octets, int rate, double expected)
    {
        var next = SmtpReadDeadline.NextBudget(TimeSpan.FromSeconds(budget), TimeSpan.FromSeconds(elapsed), octets, DataTimeout, rate);

        next.TotalSeconds.Should().BeApproximately(expected, 0.0001);
    }

    [Fact]
    public void A_trickle_expires_about_one_timeout_after_it_began_however_often_it_sends()
    {
        var time = new FakeTimeProvider();
        using var deadline = new SmtpReadDeadline(DataTimeout, 500, time, CancellationToken.None);

        // An octet after 100 seconds, well inside the 3 minutes a deadline per read would allow, buys 2 ms.
        time.Advance(TimeSpan.FromSeconds(100));
        deadline.Received(1);

        time.Advance(TimeSpan.FromSeconds(80));
        deadline.Token.IsCancellationRequested.Should().BeFalse();
        time.Advance(TimeSpan.FromMilliseconds(3));
        deadline.Token.IsCancellationRequested.Should().BeTrue();
    }

    [Fact]
    public void Content_at_the_rate_keeps_the_deadline_away_for_as_long_as_it_flows()
    {
        var time = new FakeTimeProvider();
        using var deadline = new SmtpReadDeadline(DataTimeout, 500, time, CancellationToken.None);

        // An hour of 1,000 octets per second: twice the minimum rate.
        for (var second = 0; second < 3600; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            deadline.Received(1000);
        }

        deadline.Token.IsCancellationRequested.Should().BeFalse();
    }

    [Fact]
    public void The_end_of_the_session_ends_the_deadline()
    {
        using var session = new CancellationTokenSource();
        using var deadline = new SmtpReadDeadline(TimeSpan.FromMinutes(5), 0, new FakeTimeProvider(), session.Token);

        session.Cancel();

        deadline.Token.IsCancellationRequested.Should().BeTrue();
    }
}
