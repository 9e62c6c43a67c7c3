using MailHost.Imap;

namespace MailHost.Tests.Imap;

/// <summary>
/// <see cref="ImapListMatcher.Find"/>: which names LIST and LSUB return, and which carry CHILDINFO, on the RFC 5258 §5
/// examples (8, 9 and 10, the RECURSIVEMATCH ones) and the RFC 3501 §6.3.9 LSUB rule. The selected names are the
/// subscriptions, as for <c>LIST (SUBSCRIBED ...)</c>.
/// </summary>
public sealed class ImapListFindTests
{
    private static List<string> Find(string[] subscribed, string[] patterns, bool recursiveMatch = true)
        => [.. ImapListMatcher.Find(subscribed, patterns, recursiveMatch, '/').Select(f => f.ChildInfo ? f.Name + " CHILDINFO" : f.Name)];

    [Fact]
    public void Example_8_A_an_unsubscribed_parent_stands_for_its_subscribed_child()
    {
        string[] subscribed = ["Foo/Baz"];
        Find(subscribed, ["*"], recursiveMatch: false).Should().Equal("Foo/Baz");
        Find(subscribed, ["%"], recursiveMatch: false).Should().BeEmpty();
        Find(subscribed, ["%"]).Should().Equal("Foo CHILDINFO");
    }

    [Fact]
    public void Example_8_A1_a_subscribed_parent_is_returned_with_CHILDINFO()
        => Find(["Foo", "Foo/Baz"], ["%"]).Should().Equal("Foo CHILDINFO");

    [Fact]
    public void Example_8_B_nothing_subscribed_returns_nothing()
        => Find([], ["%"]).Should().BeEmpty();

    [Fact]
    public void Example_8_C_subscribed_mailboxes_without_subscribed_children_have_no_CHILDINFO()
        => Find(["Foo", "Moo"], ["%"]).Should().Equal("Foo", "Moo");

    [Fact]
    public void Example_9_CHILDINFO_only_for_a_parent_standing_for_a_child_the_pattern_does_not_list()
    {
        string[] subscribed = ["foo2/bar1", "foo2/bar2", "baz2/bar2", "baz2/bar22", "baz2/bar222", "eps2", "eps2/mamba", "qux2/bar2"];
        Find(subscribed, ["*"], recursiveMatch: false).Should().BeEquivalentTo(subscribed);

        // D03: "baz2" and "qux2" are not returned, all their subscribed children match "*2" themselves.
        Find(subscribed, ["*2"]).Should().Equal(
            "baz2/bar2", "baz2/bar22", "baz2/bar222", "eps2 CHILDINFO", "foo2 CHILDINFO", "foo2/bar2", "qux2/bar2");
    }

    [Fact]
    public void Example_10_a_pattern_without_wildcards_still_reports_the_child()
        => Find(["foo/bar"], ["foo"]).Should().Equal("foo CHILDINFO");

    [Theory]
    [InlineData(new[] { "a/test2", "a/test2/test1" }, new[] { "a/test2", "a/test2/test1" })]
    [InlineData(new[] { "a/test2/test1" }, new[] { "a/test2/test1" })]
    [InlineData(new[] { "a/test2" }, new[] { "a/test2" })]
    public void A_subscribed_name_that_a_pattern_lists_is_returned_once_and_stands_for_no_parent(string[] subscribed, string[] expected)
        => Find(subscribed, ["a/test2", "a/test2/test1"]).Should().Equal(expected);

    [Fact]
    public void Several_patterns_matching_the_same_name_return_it_once()
    {
        Find(["INBOX", "a", "a/b"], ["*", "%", "a/*", "a", "inbox"], recursiveMatch: false).Should().Equal("INBOX", "a", "a/b");
        Find(["a/b/c"], ["a", "a/b", "%"]).Should().Equal("a CHILDINFO", "a/b CHILDINFO");
    }

    [Fact]
    public void LSUB_percent_returns_the_unsubscribed_parent_of_a_subscribed_child()
    {
        // RFC 3501 §6.3.9: "foo/bar" subscribed, "foo" not: "%" returns "foo" (the session flags it \Noselect).
        Find(["foo/bar"], ["%"]).Should().Equal("foo CHILDINFO");
        Find(["a/b/c", "a/d"], ["a/%"]).Should().Equal("a/b CHILDINFO", "a/d");
    }

    [Fact]
    public void No_pattern_no_names()
        => Find(["a", "a/b"], []).Should().BeEmpty();

    [Theory]
    [InlineData("\0&Jjo*")]
    [InlineData("*\0")]
    [InlineData("%\0%")]
    public void A_pattern_holding_the_undecodable_marker_matches_nothing(string pattern)
    {
        // Names never hold NUL, so a pattern left undecodable by the parser can match no mailbox.
        ImapListMatcher.Matches("&Jjo", pattern, '/').Should().BeFalse();
        ImapListMatcher.Matches("INBOX", pattern, '/').Should().BeFalse();
    }
}
