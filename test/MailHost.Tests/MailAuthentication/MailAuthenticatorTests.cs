using System.Net;
using System.Text;
using MailHost.Dns;
using MailHost.MailAuthentication;
using MailHost.Protocols.MailAuthentication;
using MailHost.Tests.Delivery;

namespace MailHost.Tests.MailAuthentication;

public class MailAuthenticatorTests
{
    private readonly MailAuthenticatorFixture _fixture = new();

    [Fact]
    public async Task The_header_records_every_method_with_its_properties()
    {
        _fixture.Zone.Txt["_dmarc.example.org"] = ["v=DMARC1; p=quarantine"];
        var message = DkimTestKeys.Message();
        DkimTestKeys.Sign(message, DkimTestKeys.RsaKey.Private, "example.org", "rsa");
        var result = await _fixture.AuthenticateAsync(DkimTestKeys.Bytes(message));
        result.HeaderField.Should().Be(
            "Authentication-Results: mx.example.net;\r\n" +
            "\tspf=pass (example.org: matched ip4:192.0.2.1) smtp.mailfrom=sender@example.org;\r\n" +
            "\tdkim=pass (signature verified) header.d=example.org header.s=rsa;\r\n" +
            "\tdmarc=pass (p=quarantine dis=none; aligned DKIM pass for example.org) header.from=example.org\r\n");
    }

    [Fact]
    public async Task An_unsigned_message_from_an_unknown_sender_gets_none_results()
    {
        var result = await _fixture.AuthenticateAsync(
            Encoding.ASCII.GetBytes("From: x@unknown.example\r\n\r\nhi\r\n"),
            MailAuthenticatorFixture.Request("x@unknown.example", "198.51.100.7"));
        result.HeaderField.Should().Be(
            "Authentication-Results: mx.example.net;\r\n" +
            "\tspf=none (unknown.example publishes no SPF record) smtp.mailfrom=x@unknown.example;\r\n" +
            "\tdkim=none (message not signed);\r\n" +
            "\tdmarc=none (no DMARC record for unknown.example) header.from=unknown.example\r\n");
    }

    [Fact]
    public async Task The_HELO_identity_is_checked_when_configured()
    {
        _fixture.Options.CheckHelo = true;
        _fixture.Zone.Txt["client.example.org"] = ["v=spf1 a -all"];
        _fixture.Zone.Addresses["client.example.org"] = [IPAddress.Parse("192.0.2.1")];
        var result = await _fixture.AuthenticateAsync(Encoding.ASCII.GetBytes("From: a@example.org\r\n\r\nhi\r\n"));
        result.Helo.Should().BeEquivalentTo(new { Result = SpfResult.Pass, Identity = "helo", Domain = "client.example.org" });
        result.HeaderField.Should().Contain(";\r\n\tspf=pass (client.example.org: matched a) smtp.helo=client.example.org;\r\n");
    }

    [Fact]
    public async Task Incoming_fields_claiming_this_server_are_found_by_offset()
    {
        var text = "Authentication-Results: MX.example.NET; spf=pass\r\n" +
                   "Authentication-Results: other.example; spf=fail\r\n" +
                   "From: a@example.org\r\n" +
                   "Authentication-Results:\r\n (comment) mx.example.net; dkim=pass\r\n" +
                   "\r\nAuthentication-Results: mx.example.net; in the body\r\n";
        var result = await _fixture.AuthenticateAsync(Encoding.ASCII.GetBytes(text));
        var second = text.IndexOf("Authentication-Results:\r\n", StringComparison.Ordinal);
        result.ForgedFieldOffsets.Should().Equal(0L, second);
    }

    [Fact]
    public async Task The_spooled_message_is_composed_byte_exact_around_the_added_field()
    {
        var returnPath = "Return-Path: <sender@example.org>\r\n";
        var received = "Received: from client.example.org ([192.0.2.1])\r\n\tby mx.example.net; Sat, 28 Nov 2026 10:00:00 +0000\r\n";
        var content = "Authentication-Results: mx.example.net; dmarc=pass\r\nFrom: a@example.org\r\nX-Authentication-Results: mx.example.net; kept\r\n\r\nbody\r\n";
        var spool = new MemoryStream(Encoding.ASCII.GetBytes(returnPath + received + content));
        var (result, stream) = await _fixture.Create().AuthenticateSpooledAsync(MailAuthenticatorFixture.Request(), spool, returnPath.Length, returnPath.Length + received.Length, [0], CancellationToken.None);

        using var stored = new MemoryStream();
        await stream.CopyToAsync(stored);
        Encoding.ASCII.GetString(stored.ToArray()).Should().Be(returnPath + result.HeaderField + received + "X-Original-" + content);

        // One byte at a time gives the same bytes (segment boundaries inside reads).
        spool.Position = 0;
        var (_, again) = await _fixture.Create().AuthenticateSpooledAsync(MailAuthenticatorFixture.Request(), spool, returnPath.Length, returnPath.Length + received.Length, [0], CancellationToken.None);
        var single = new List<byte>();
        var buffer = new byte[1];
        while (again.Read(buffer, 0, 1) == 1)
        {
            single.Add(buffer[0]);
        }

        single.Should().Equal(stored.ToArray());
    }

    [Fact]
    public async Task A_resolver_that_never_answers_costs_at_most_the_time_budget()
    {
        // A manual clock: the lookups' own timeout is an hour, so only the 500 ms budget can end them, and the test
        // moves time itself instead of measuring a loaded machine's wall clock.
        var clock = new MailHost.Tests.Logins.FakeTimeProvider(DateTimeOffset.UtcNow);
        _fixture.Options.DnsTimeout = TimeSpan.FromHours(1);
        _fixture.Options.TimeBudget = TimeSpan.FromMilliseconds(500);
        var resolver = new SilentResolver();
        var authenticator = new MailAuthenticator(resolver, _fixture.Options, MailAuthenticatorFixture.Hostname, clock, PublicSuffixList.Fallback, () => 0);
        var message = DkimTestKeys.Message();
        DkimTestKeys.Sign(message, DkimTestKeys.RsaKey.Private, "example.org", "rsa");
        using var stream = new MemoryStream(DkimTestKeys.Bytes(message));
        var started = TimeProvider.System.GetTimestamp();
        var authentication = authenticator.AuthenticateAsync(MailAuthenticatorFixture.Request(), stream, CancellationToken.None).AsTask();

        // The SPF and DKIM lookups are asked and never answered.
        await resolver.WaitForQueriesAsync(2, TimeSpan.FromSeconds(20));
        clock.Advance(TimeSpan.FromMilliseconds(499));
        (await Task.WhenAny(authentication, Task.Delay(TimeSpan.FromMilliseconds(200)))).Should().NotBeSameAs(authentication, "the budget is not spent yet");

        clock.Advance(TimeSpan.FromMilliseconds(1));
        var result = await authentication.WaitAsync(TimeSpan.FromSeconds(20));
        TimeProvider.System.GetElapsedTime(started).Should().BeLessThan(TimeSpan.FromSeconds(15), "nothing waits on the real clock");
        result.Spf.Result.Should().Be(SpfResult.TempError);
        result.Dkim.Single().Result.Should().Be(DkimResult.TempError);
        result.Dmarc.Result.Should().Be(DmarcResult.TempError, "the DMARC lookup comes after the budget is spent");
        result.Disposition.Should().Be(MailAuthenticationDisposition.Accept);
        resolver.Queries.Should().Be(2, "no lookup is asked once the budget is spent (DMARC's would be the third)");
    }

    [Fact]
    public async Task A_resolver_that_throws_gives_temperror_not_a_fault()
    {
        var authenticator = new MailAuthenticator(new ThrowingResolver(), _fixture.Options, MailAuthenticatorFixture.Hostname, TimeProvider.System, PublicSuffixList.Fallback, () => 0);
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes("From: a@example.org\r\n\r\nhi\r\n"));
        var result = await authenticator.AuthenticateAsync(MailAuthenticatorFixture.Request(), stream, CancellationToken.None);
        result.Spf.Result.Should().Be(SpfResult.TempError);
        result.Dmarc.Result.Should().Be(DmarcResult.TempError);
        result.HeaderField.Should().StartWith("Authentication-Results: mx.example.net;\r\n\tspf=temperror");
    }

    [Fact]
    public async Task An_empty_message_still_gets_a_header()
    {
        var result = await _fixture.AuthenticateAsync([]);
        result.Dkim.Should().BeEmpty();
        result.Dmarc.Result.Should().Be(DmarcResult.PermError);
        result.HeaderField.Should().StartWith("Authentication-Results: mx.example.net;");
    }

    [Fact]
    public void A_configured_suffix_list_that_does_not_exist_stops_the_start_up()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new MailAuthenticationOptions { PublicSuffixListPath = "/nonexistent/psl.dat" });
        var host = Microsoft.Extensions.Options.Options.Create(new MailHost.Hosting.MailHostOptions());
        var create = () => new MailAuthenticator(new FakeDnsZone(), options, host, TimeProvider.System);
        create.Should().Throw<MailHost.Hosting.MailHostConfigurationException>().Which.Key.Should().Be("MailHost:MailAuthentication:PublicSuffixListPath");
    }

    [Theory]
    [InlineData("DnsTimeout")]
    [InlineData("TimeBudget")]
    [InlineData("MaxDkimSignatures")]
    public void Out_of_range_options_stop_the_start_up_naming_the_key(string name)
    {
        var value = new MailAuthenticationOptions();
        switch (name)
        {
            case "DnsTimeout":
                value.DnsTimeout = TimeSpan.Zero;
                break;
            case "TimeBudget":
                value.TimeBudget = TimeSpan.FromDays(30);
                break;
            default:
                value.MaxDkimSignatures = -1;
                break;
        }

        var host = Microsoft.Extensions.Options.Options.Create(new MailHost.Hosting.MailHostOptions());
        var create = () => new MailAuthenticator(new FakeDnsZone(), Microsoft.Extensions.Options.Options.Create(value), host, TimeProvider.System);
        create.Should().Throw<MailHost.Hosting.MailHostConfigurationException>().Which.Key.Should().Be("MailHost:MailAuthentication:" + name);
    }

    [Fact]
    public void A_configured_suffix_list_is_read()
    {
        var path = Path.Combine(Path.GetTempPath(), "psl-" + Guid.NewGuid().ToString("N") + ".dat");
        File.WriteAllText(path, "// test\nuk\nco.uk\n");
        try
        {
            var options = Microsoft.Extensions.Options.Options.Create(new MailAuthenticationOptions { PublicSuffixListPath = path });
            var host = Microsoft.Extensions.Options.Options.Create(new MailHost.Hosting.MailHostOptions());
            var authenticator = new MailAuthenticator(new FakeDnsZone(), options, host, TimeProvider.System);
            authenticator.PublicSuffixes.RuleCount.Should().Be(2);
            authenticator.PublicSuffixes.GetOrganizationalDomain("a.b.example.co.uk").Should().Be("example.co.uk");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class SilentResolver : IDnsResolver
    {
        private int _queries;

        /// <summary>Lookups asked so far.</summary>
        public int Queries => Volatile.Read(ref _queries);

        public ValueTask<DnsLookup<DnsMxRecord>> ResolveMxAsync(string domain, CancellationToken cancellationToken) => Never<DnsMxRecord>();

        public ValueTask<DnsLookup<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken) => Never<IPAddress>();

        public ValueTask<DnsLookup<string>> ResolveTxtAsync(string name, CancellationToken cancellationToken) => Never<string>();

        public async Task WaitForQueriesAsync(int count, TimeSpan limit)
        {
            using var deadline = new CancellationTokenSource(limit);
            while (Queries < count)
            {
                await Task.Delay(10, deadline.Token);
            }
        }

        // Ignores cancellation on purpose: the budget must hold even so.
        private ValueTask<DnsLookup<T>> Never<T>()
        {
            Interlocked.Increment(ref _queries);
            return new(new TaskCompletionSource<DnsLookup<T>>().Task);
        }
    }

    private sealed class ThrowingResolver : IDnsResolver
    {
        public ValueTask<DnsLookup<DnsMxRecord>> ResolveMxAsync(string domain, CancellationToken cancellationToken) => throw new InvalidOperationException("broken");

        public ValueTask<DnsLookup<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken) => throw new InvalidOperationException("broken");

        public ValueTask<DnsLookup<string>> ResolveTxtAsync(string name, CancellationToken cancellationToken) => throw new InvalidOperationException("broken");
    }
}
