using MailHost.Storage;
using MailHost.Storage.Common;

namespace MailHost.Tests.Storage.Common;

public sealed class QuotaAndThreadRulesTests
{
    [Fact]
    public void Account_limits_replace_the_defaults_as_a_whole()
    {
        var defaults = new QuotaLimits(1000, 10);

        QuotaRules.Usage(5, 1, null, defaults).Should().Be(new QuotaUsage(5, 1000, 1, 10));
        QuotaRules.Usage(5, 1, new QuotaLimits(null, 2), defaults).Should().Be(new QuotaUsage(5, null, 1, 2));
    }

    [Fact]
    public void A_message_that_passes_either_limit_is_over_quota()
    {
        var usage = new QuotaUsage(900, 1000, 9, 10);

        QuotaRules.CheckAdd(usage, 100, 1).Should().BeNull();
        QuotaRules.CheckAdd(usage, 101, 1)!.Code.Should().Be(StoreErrorCode.OverQuota);
        QuotaRules.CheckAdd(usage, 1, 2)!.Code.Should().Be(StoreErrorCode.OverQuota);
        QuotaRules.CheckAdd(new QuotaUsage(long.MaxValue / 2, null, 5, null), 1_000_000, 1000).Should().BeNull();
    }

    [Fact]
    public void A_message_joins_the_thread_of_its_first_known_reference_else_its_own_id()
    {
        var known = new Dictionary<string, string> { ["<b@x>"] = "Tb", ["<c@x>"] = "Tc", ["<own@x>"] = "Town" };

        ThreadRules.Resolve(["<a@x>", "<c@x>", "<b@x>"], "<own@x>", known.GetValueOrDefault).Should().Be("Tc");
        ThreadRules.Resolve(["<a@x>"], "<own@x>", known.GetValueOrDefault).Should().Be("Town");
        ThreadRules.Lookups(["<a@x>"], "<own@x>").Should().Equal("<a@x>", "<own@x>");
    }

    [Fact]
    public void A_message_without_known_references_starts_a_new_thread()
    {
        var first = ThreadRules.Resolve(["<a@x>"], null, _ => null);
        var second = ThreadRules.Resolve([], "<n@x>", _ => null);

        first.Should().NotBe(second);
        first.Should().NotBeNullOrEmpty();
    }
}
