using System.Net;
using System.Net.Sockets;
using MailHost.Dns;
using MailHost.Filtering;
using MailHost.Filtering.DnsLists;
using MailHost.Tests.Delivery;
using Microsoft.Extensions.Logging;

namespace MailHost.Tests.Filtering.DnsLists;

public class DnsListFilterTests
{
    private const string Client = "192.0.2.99";
    private const string Reversed = "99.2.0.192";

    [Fact]
    public async Task A_listed_IPv4_client_is_refused_at_connect_with_554_and_the_lists_reason()
    {
        var options = DnsListTestHost.OptionsFor(["bl.example"]);
        options.BlockLists[0].Codes["127.0.0.2"] = "SBL";
        var host = new DnsListTestHost(options);
        host.List($"{Reversed}.bl.example", "127.0.0.2");
        host.Zone.Txt[$"{Reversed}.bl.example"] = ["Listed in SBL, see https://bl.example/query/SBL1"];

        var verdict = await host.ConnectAsync(Client);

        verdict.Action.Should().Be(InboundFilterAction.Reject);
        verdict.ReplyCode.Should().Be(554);
        verdict.EnhancedStatusCode.Should().Be("5.7.1");
        verdict.ReplyText.Should().Be("Client address 192.0.2.99 is listed by bl.example: Listed in SBL, see https://bl.example/query/SBL1");
        verdict.Summary.Should().Be("listed by bl.example (127.0.0.2 SBL)");
        verdict.HeaderChanges.Should().BeEmpty();
        host.Zone.Asked.Should().Equal($"{Reversed}.bl.example", $"{Reversed}.bl.example");
        host.Log.Entries.Should().ContainSingle(e => e.Id.Id == 5360 && e.Level == LogLevel.Information)
            .Which.Text.Should().Contain("192.0.2.99").And.Contain("bl.example").And.Contain("Listed in SBL");
    }

    [Fact]
    public async Task Without_a_TXT_record_the_reply_has_no_reason()
    {
        var host = new DnsListTestHost(DnsListTestHost.OptionsFor(["bl.example"]));
        host.List($"{Reversed}.bl.example", "127.0.0.4");

        var verdict = await host.ConnectAsync(Client);

        verdict.ReplyText.Should().Be("Client address 192.0.2.99 is listed by bl.example");
        verdict.Summary.Should().Be("listed by bl.example (127.0.0.4)");
    }

    [Fact]
    public async Task The_reason_is_cleaned_to_printable_ASCII_and_capped()
    {
        var host = new DnsListTestHost(DnsListTestHost.OptionsFor(["bl.example"]));
        host.List($"{Reversed}.bl.example", "127.0.0.2");
        host.Zone.Txt[$"{Reversed}.bl.example"] = ["Bad\r\n250 OK\tgr\u00fc\u00dfe " + new string('x', 300)];

        var verdict = await host.ConnectAsync(Client);

        var reason = verdict.ReplyText!["Client address 192.0.2.99 is listed by bl.example: ".Length..];
        reason.Should().StartWith("Bad 250 OK gr e xxx");
        reason.Length.Should().Be(DnsListReplyText.MaxReasonLength);
        verdict.ReplyText.Should().MatchRegex("^[ -~]+$");
    }

    [Fact]
    public async Task The_reply_template_takes_every_placeholder()
    {
        var options = DnsListTestHost.OptionsFor(["bl.example"]);
        options.BlockLists[0].Codes["127.0.0.2"] = "SBL";
        options.BlockLists[0].Codes["127.0.0.4"] = "XBL";
        options.ReplyText = "{address} on {zone} [{code}] ({label}) why={reason}";
        var host = new DnsListTestHost(options);
        host.List($"{Reversed}.bl.example", "127.0.0.2", "127.0.0.4", "127.0.0.10");
        host.Zone.Txt[$"{Reversed}.bl.example"] = ["see web"];

        var verdict = await host.ConnectAsync(Client);

        verdict.ReplyText.Should().Be("192.0.2.99 on bl.example [127.0.0.2, 127.0.0.4] (SBL, XBL) why=see web");
        verdict.Summary.Should().Be("listed by bl.example (127.0.0.2 SBL, 127.0.0.4 XBL)");
    }

    [Fact]
    public async Task The_query_name_of_an_IPv6_client_is_its_32_nibbles_reversed()
    {
        var host = new DnsListTestHost(DnsListTestHost.OptionsFor(["bl.example"]));
        const string Name = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.bl.example";
        host.List(Name, "127.0.0.2");

        var verdict = await host.ConnectAsync("2001:DB8::1");

        verdict.Action.Should().Be(InboundFilterAction.Reject);
        verdict.ReplyText.Should().Be("Client address 2001:db8::1 is listed by bl.example");
        host.Zone.Asked.First().Should().Be(Name);
    }

    [Fact]
    public async Task An_IPv4_mapped_IPv6_client_is_asked_about_as_IPv4()
    {
        var host = new DnsListTestHost(DnsListTestHost.OptionsFor(["bl.example"]));
        host.List($"{Reversed}.bl.example", "127.0.0.2");

        var verdict = await host.ConnectAsync("::ffff:192.0.2.99");

        verdict.Action.Should().Be(InboundFilterAction.Reject);
        verdict.ReplyText.Should().Be("Client address 192.0.2.99 is listed by bl.example");
        host.Zone.Asked.First().Should().Be($"{Reversed}.bl.example");
    }

    [Fact]
    public async Task The_RFC_5782_test_entry_127_0_0_2_is_refused_like_any_listed_client()
    {
        var host = new DnsListTestHost(DnsListTestHost.OptionsFor(["bl.example"]));
        host.List("2.0.0.127.bl.example", "127.0.0.2");

        var verdict = await host.ConnectAsync("127.0.0.2");

        verdict.Action.Should().Be(InboundFilterAction.Reject);
        verdict.ReplyCode.Should().Be(554);
    }

    [Fact]
    public async Task A_client_no_list_lists_is_accepted()
    {
        var host = new DnsListTestHost(DnsListTestHost.OptionsFor(["bl.example", "bl2.example"]));
        host.List("1.2.0.192.bl.example", "127.0.0.2");

        var verdict = await host.ConnectAsync(Client);

        verdict.Action.Should().Be(InboundFilterAction.Accept);
        verdict.Summary.Should().Be("not listed (2 lists)");
        host.Zone.Asked.Should().BeEquivalentTo($"{Reversed}.bl.example", $"{Reversed}.bl2.example");
        host.Log.Entries.Should().NotContain(e => e.Level >= LogLevel.Information);
    }

    [Fact]
    public async Task A_session_without_a_client_address_is_accepted_without_queries()
    {
        var host = new DnsListTestHost(DnsListTestHost.OptionsFor(["bl.example"]));

        var verdict = await host.ConnectAsync(null);

        verdict.Action.Should().Be(InboundFilterAction.Accept);
        host.Zone.Queries.Should().Be(0);
    }

    [Fact]
    public async Task An_allow_list_listing_allows_the_client_and_outweighs_a_block_list()
    {
        var host = new DnsListTestHost(DnsListTestHost.OptionsFor(["bl.example"], ["wl.example"]));
        host.List($"{Reversed}.bl.example", "127.0.0.2");
        host.List($"{Reversed}.wl.example", "127.0.10.3");

        var verdict = await host.ConnectAsync(Client);

        verdict.Action.Should().Be(InboundFilterAction.Allow);
        verdict.Summary.Should().Be("allowed by wl.example");
        verdict.ReplyText.Should().BeNull();
        host.Log.Entries.Should().ContainSingle(e => e.Id.Id == 5361).Which.Text.Should().Contain("wl.example");
        host.Log.Entries.Should().NotContain(e => e.Id.Id == 5360);
    }

    [Fact]
    public async Task With_AllowListSkipsOtherFilters_off_an_allow_listing_only_accepts()
    {
        var options = DnsListTestHost.OptionsFor(["bl.example"], ["wl.example"]);
        options.AllowListSkipsOtherFilters = false;
        var host = new DnsListTestHost(options);
        host.List($"{Reversed}.bl.example", "127.0.0.2");
        host.List($"{Reversed}.wl.example", "127.0.10.3");

        var verdict = await host.ConnectAsync(Client);

        verdict.Action.Should().Be(InboundFilterAction.Accept);
        verdict.Summary.Should().Be("allowed by wl.example");
    }

    [Fact]
    public async Task An_answer_that_is_not_a_configured_code_is_not_a_listing()
    {
        var options = DnsListTestHost.OptionsFor(["zen.example"]);
        options.BlockLists[0].Codes["127.0.0.2"] = "SBL";
        var host = new DnsListTestHost(options);
        host.List($"{Reversed}.zen.example", "127.0.0.10");

        var verdict = await host.ConnectAsync(Client);

        verdict.Action.Should().Be(InboundFilterAction.Accept);
        verdict.Summary.Should().Be("not listed (1 list)");
    }

    [Theory]
    [InlineData("127.255.255.254")]
    [InlineData("127.255.255.255")]
    [InlineData("127.0.0.1")]
    public async Task A_refusal_code_is_no_listing_and_is_logged_as_a_warning(string answer)
    {
        var host = new DnsListTestHost(DnsListTestHost.OptionsFor(["bl.example"]));
        host.List($"{Reversed}.bl.example", answer);

        var verdict = await host.ConnectAsync(Client);

        verdict.Action.Should().Be(InboundFilterAction.Accept);
        verdict.Summary.Should().Be($"not listed (1 list); errors: bl.example answered {answer}");
        var warning = host.Log.Entries.Should().ContainSingle(e => e.Level == LogLevel.Warning).Which;
        warning.Id.Id.Should().Be(5363);
        warning.Text.Should().Contain(answer).And.Contain("bl.example");
    }

    [Fact]
    public async Task A_refusal_code_is_no_listing_even_when_configured_codes_are_empty_and_another_code_is_listed()
    {
        var host = new DnsListTestHost(DnsListTestHost.OptionsFor(["bl.example"]));
        host.List($"{Reversed}.bl.example", "127.255.255.254", "127.0.0.3");

        var verdict = await host.ConnectAsync(Client);

        verdict.Action.Should().Be(InboundFilterAction.Reject);
        verdict.Summary.Should().Be("listed by bl.example (127.0.0.3)");
    }

    [Fact]
    public async Task An_answer_outside_127_0_0_0_8_is_an_error_not_a_listing()
    {
        var host = new DnsListTestHost(DnsListTestHost.OptionsFor(["bl.example"]));
        host.List($"{Reversed}.bl.example", "198.51.100.7");

        var verdict = await host.ConnectAsync(Client);

        verdict.Action.Should().Be(InboundFilterAction.Accept);
        host.Log.Entries.Should().ContainSingle(e => e.Level == LogLevel.Warning).Which.Id.Id.Should().Be(5362);
    }

    [Fact]
    public async Task Warnings_about_one_list_are_limited_to_one_each_five_minutes_with_a_count_of_those_held_back()
    {
        var host = new DnsListTestHost(DnsListTestHost.OptionsFor(["bl.example"]));
        foreach (var last in new[] { 1, 2, 3, 4 })
        {
            host.List($"{last}.2.0.192.bl.example", "127.255.255.254");
        }

        await host.ConnectAsync("192.0.2.1");
        await host.ConnectAsync("192.0.2.2");
        await host.ConnectAsync("192.0.2.3");
        host.Log.Entries.Count(e => e.Id.Id == 5363).Should().Be(1);

        host.Time.Advance(TimeSpan.FromMinutes(5));
        await host.ConnectAsync("192.0.2.4");

        var warnings = host.Log.Entries.Where(e => e.Id.Id == 5363).ToList();
        warnings.Should().HaveCount(2);
        warnings[1].Text.Should().Contain("(2 more since the last warning)");
    }

    [Fact]
    public async Task A_list_failing_while_the_other_does_not_list_the_client_fails_the_filter_naming_the_list()
    {
        var host = new DnsListTestHost(DnsListTestHost.OptionsFor(["bl.example", "down.example"]));
        host.Zone.Failing.Add($"{Reversed}.down.example");

        var act = () => host.ConnectAsync(Client);

        (await act.Should().ThrowAsync<DnsListUnavailableException>())
            .WithMessage("*192.0.2.99*down.example: temporary DNS failure*");
        host.Log.Entries.Should().ContainSingle(e => e.Id.Id == 5364 && e.Level == LogLevel.Warning);
        host.Filter.CachedAddresses.Should().Be(0);
    }

    [Fact]
    public async Task A_list_failing_does_not_matter_when_another_list_refuses_the_client()
    {
        var host = new DnsListTestHost(DnsListTestHost.OptionsFor(["down.example", "bl.example"]));
        host.Zone.Failing.Add($"{Reversed}.down.example");
        host.List($"{Reversed}.bl.example", "127.0.0.2");

        var verdict = await host.ConnectAsync(Client);

        verdict.Action.Should().Be(InboundFilterAction.Reject);
        verdict.ReplyText.Should().Contain("bl.example");
    }

    [Fact]
    public async Task A_block_listing_does_not_decide_while_an_allow_list_did_not_answer()
    {
        var host = new DnsListTestHost(DnsListTestHost.OptionsFor(["bl.example"], ["wl.example"]));
        host.Zone.Failing.Add($"{Reversed}.wl.example");
        host.List($"{Reversed}.bl.example", "127.0.0.2");

        var act = () => host.ConnectAsync(Client);

        (await act.Should().ThrowAsync<DnsListUnavailableException>())
            .WithMessage("*wl.example*listed by bl.example*");
    }

    [Fact]
    public async Task A_junk_list_marks_the_session_as_junk_with_an_X_DNSBL_field()
    {
        var host = new DnsListTestHost(DnsListTestHost.OptionsFor(["bl.example"], action: DnsListAction.Junk));
        host.List($"{Reversed}.bl.example", "127.0.0.2");

        var verdict = await host.ConnectAsync(Client);

        verdict.Action.Should().Be(InboundFilterAction.Junk);
        verdict.ReplyText.Should().BeNull();
        verdict.Summary.Should().Be("listed by bl.example (127.0.0.2)");
        verdict.HeaderChanges.Should().Equal(InboundHeaderChange.Add("X-DNSBL", "bl.example listed 192.0.2.99"));
    }

    [Fact]
    public async Task A_rejecting_list_outweighs_a_junk_list()
    {
        var options = DnsListTestHost.OptionsFor(["junk.example"], action: DnsListAction.Junk);
        options.BlockLists.Add(new DnsListZone { Zone = "bl.example" });
        var host = new DnsListTestHost(options);
        host.List($"{Reversed}.junk.example", "127.0.0.2");
        host.List($"{Reversed}.bl.example", "127.0.0.3");

        var verdict = await host.ConnectAsync(Client);

        verdict.Action.Should().Be(InboundFilterAction.Reject);
        verdict.ReplyText.Should().Be("Client address 192.0.2.99 is listed by bl.example");
    }

    [Fact]
    public async Task A_second_connection_within_CacheTime_asks_no_list_and_one_after_it_asks_again()
    {
        var host = new DnsListTestHost(DnsListTestHost.OptionsFor(["bl.example"], ["wl.example"]));
        host.List($"{Reversed}.bl.example", "127.0.0.2");

        var first = await host.ConnectAsync(Client);
        var queries = host.Zone.Queries;
        queries.Should().Be(3, "two A queries and the TXT query of the listing");

        host.Time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        var second = await host.ConnectAsync(Client);
        second.Should().BeSameAs(first);
        host.Zone.Queries.Should().Be(queries);

        host.Time.Advance(TimeSpan.FromSeconds(1));
        var third = await host.ConnectAsync(Client);
        third.Action.Should().Be(InboundFilterAction.Reject);
        host.Zone.Queries.Should().Be(2 * queries);
    }

    [Fact]
    public async Task Clients_that_are_not_listed_are_cached_too()
    {
        var host = new DnsListTestHost(DnsListTestHost.OptionsFor(["bl.example"]));

        await host.ConnectAsync(Client);
        await host.ConnectAsync("::ffff:" + Client);

        host.Zone.Queries.Should().Be(1);
    }

    [Fact]
    public async Task A_CacheTime_of_zero_asks_on_every_connection()
    {
        var options = DnsListTestHost.OptionsFor(["bl.example"]);
        options.CacheTime = TimeSpan.Zero;
        var host = new DnsListTestHost(options);

        await host.ConnectAsync(Client);
        await host.ConnectAsync(Client);

        host.Zone.Queries.Should().Be(2);
    }

    [Fact]
    public async Task A_failed_lookup_is_not_cached()
    {
        var host = new DnsListTestHost(DnsListTestHost.OptionsFor(["bl.example"]));
        host.Zone.Failing.Add($"{Reversed}.bl.example");
        await FluentActions.Awaiting(() => host.ConnectAsync(Client)).Should().ThrowAsync<DnsListUnavailableException>();

        host.Zone.Failing.Clear();
        host.List($"{Reversed}.bl.example", "127.0.0.2");
        var verdict = await host.ConnectAsync(Client);

        verdict.Action.Should().Be(InboundFilterAction.Reject);
    }

    [Fact]
    public async Task A_rejecting_listing_decides_without_waiting_for_a_list_that_hangs()
    {
        var host = new DnsListTestHost(
            DnsListTestHost.OptionsFor(["slow.example", "bl.example"]),
            zone => new HangingResolver(zone, $"{Reversed}.slow.example"));
        host.List($"{Reversed}.bl.example", "127.0.0.2");

        var verdict = await host.ConnectAsync(Client);

        verdict.Action.Should().Be(InboundFilterAction.Reject);
        verdict.ReplyText.Should().Contain("bl.example");
    }

    [Fact]
    public async Task A_list_that_does_not_answer_within_three_quarters_of_Timeout_leaves_the_verdict_open()
    {
        var resolver = default(HangingResolver);
        var host = new DnsListTestHost(
            DnsListTestHost.OptionsFor(["slow.example", "bl.example"]),
            zone => resolver = new HangingResolver(zone, $"{Reversed}.slow.example"));

        var pending = host.Filter.ConnectAsync(DnsListTestHost.Session(Client), CancellationToken.None).AsTask();
        var wait = await host.Time.WaitForTimerAsync(DnsListTestHost.Limit);
        wait.Should().Be(TimeSpan.FromSeconds(3.75));
        pending.IsCompleted.Should().BeFalse();
        host.Time.Advance(wait);

        (await FluentActions.Awaiting(() => pending.WaitAsync(DnsListTestHost.Limit)).Should().ThrowAsync<DnsListUnavailableException>())
            .WithMessage("*slow.example: no answer within 3.75 s*");
        resolver!.Cancelled.Should().BeTrue("the hanging query is cancelled, not left running");
    }

    /// <summary>The fake zone, except that the A query for one name never answers (until cancelled).</summary>
    private sealed class HangingResolver(FakeDnsZone zone, string hangingName) : IDnsResolver
    {
        public bool Cancelled { get; private set; }

        public ValueTask<DnsLookup<DnsMxRecord>> ResolveMxAsync(string domain, CancellationToken cancellationToken) => zone.ResolveMxAsync(domain, cancellationToken);

        public ValueTask<DnsLookup<IPAddress>> ResolveAddressesAsync(string host, CancellationToken cancellationToken) => zone.ResolveAddressesAsync(host, cancellationToken);

        public ValueTask<DnsLookup<string>> ResolveTxtAsync(string name, CancellationToken cancellationToken) => zone.ResolveTxtAsync(name, cancellationToken);

        public async ValueTask<DnsLookup<IPAddress>> ResolveAddressesAsync(string host, AddressFamily family, CancellationToken cancellationToken)
        {
            if (!string.Equals(host, hangingName, StringComparison.OrdinalIgnoreCase))
            {
                return await zone.ResolveAddressesAsync(host, family, cancellationToken);
            }

            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Cancelled = true;
                throw;
            }

            throw new InvalidOperationException("unreachable");
        }
    }
}
