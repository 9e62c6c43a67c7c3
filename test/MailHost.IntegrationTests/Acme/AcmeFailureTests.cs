using MailHost.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging;
using MailHost.Tests.Logins;

namespace MailHost.IntegrationTests.Acme;

/// <summary>
/// Failed orders: the ACME server's problem is logged, the certificate in use stays, and the next attempt is scheduled
/// with a growing delay; and the badNonce retry of RFC 8555 §6.5 against a server that refuses half the good nonces.
/// </summary>
public sealed class AcmeFailureTests
{
    [PebbleFact]
    public async Task A_challenge_the_server_cannot_validate_logs_its_problem_keeps_the_default_certificate_and_retries_later()
    {
        const string Name = "mail.elsewhere.test";
        using var data = new TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var pebble = await PebbleServer.StartAsync(PebbleServer.FreePort(), PebbleServer.FreePort());

        // The name resolves to an address nothing listens on, as when DNS points at another machine.
        await pebble.AddARecordAsync(Name, "127.0.0.2");
        await using var host = await AcmeTestHost.StartAsync(pebble, data.Path, Name, clock);

        var failure = await host.Logs.WaitForAsync(e => e.EventId.Id == 1227, AcmeTestHost.Bound);

        failure.Level.Should().Be(LogLevel.Warning);
        failure.Message.Should().Contain("http-01 challenge for " + Name + " failed").And.Contain("connection", "the ACME problem type is in the log").And.Contain("127.0.0.2");
        var retry = await clock.WaitForTimerAsync(AcmeTestHost.Bound);
        retry.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(45)).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(75), "the first retry is one minute away, jittered");
        var served = await host.ImapsDefaultCertificateAsync(Name);
        served.Issuer.Should().Be(served.Subject, "the generated self-signed default certificate is still served");
    }

    [PebbleFact]
    public async Task A_failing_DNS_hook_is_logged_with_its_error_and_retried_after_a_doubling_delay()
    {
        const string Name = "mail.hookfails.test";
        using var data = new TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var pebble = await PebbleServer.StartAsync(PebbleServer.FreePort(), PebbleServer.FreePort());
        await using var host = await AcmeTestHost.StartAsync(pebble, data.Path, Name, clock, [
            "--MailHost:Certificates:Acme:Challenge=Dns01",
            "--MailHost:Certificates:Acme:DnsHook=" + pebble.WriteDnsHook(failWith: "zone hookfails.test is not managed here"),
        ]);

        var first = await host.Logs.WaitForAsync(e => e.EventId.Id == 1227, AcmeTestHost.Bound);
        first.Message.Should().Contain("exited with 1: zone hookfails.test is not managed here").And.Contain("(1 in a row)");
        host.Logs.Entries.Should().Contain(e => e.EventId.Id == 1232 && e.Message.Contains("zone hookfails.test is not managed here", StringComparison.Ordinal));
        var firstRetry = await clock.WaitForTimerAsync(AcmeTestHost.Bound);

        clock.Advance(firstRetry + TimeSpan.FromSeconds(1));
        await host.Logs.WaitForCountAsync(e => e.EventId.Id == 1227, 2, AcmeTestHost.Bound);
        host.Logs.Entries.Count(e => e.EventId.Id == 1221).Should().Be(2, "one order per attempt");
        var secondRetry = await clock.WaitForTimerAsync(AcmeTestHost.Bound);
        secondRetry.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(90)).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(150), "the delay doubles after the second failure");
    }

    [PebbleFact]
    public async Task Nonces_refused_as_bad_are_retried_until_the_certificate_is_issued()
    {
        const string Name = "mail.nonce.test";
        using var data = new TempDirectory();
        await using var pebble = await PebbleServer.StartAsync(PebbleServer.FreePort(), PebbleServer.FreePort(), nonceRejectPercent: 50);
        await using var host = await AcmeTestHost.StartAsync(pebble, data.Path, Name);

        await host.WaitForIssuedAsync();

        host.Logs.Entries.Should().Contain(e => e.EventId.Id == 1230, "Pebble refused some good nonces, and each refusal was retried");
        host.Logs.Entries.Should().NotContain(e => e.EventId.Id == 1227);
        (await host.ImapsCertificateAsync(Name)).Issuer.Should().NotBe(Name);
    }
}
