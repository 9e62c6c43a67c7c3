using System.Text.RegularExpressions;
using CsCheck;
using MailHost.Imap;

namespace MailHost.Tests.Imap;

public sealed class ImapListMatcherTests
{
    [Theory]
    [InlineData("INBOX", "*", true)]
    [InlineData("Work/Projects", "*", true)]
    [InlineData("Work/Projects", "%", false)]
    [InlineData("Work", "%", true)]
    [InlineData("Work/Projects", "Work/%", true)]
    [InlineData("Work/Projects/A", "Work/%", false)]
    [InlineData("Work/Projects/A", "Work/*", true)]
    [InlineData("Work", "Work/*", false)]
    [InlineData("INBOX", "inbox", true)]
    [InlineData("INBOX/Sub", "Inbox/%", true)]
    [InlineData("Inboxes", "inbox%", false)]
    [InlineData("a+b", "a+b", true)]
    [InlineData("aab", "(a+)+b", false)]
    [InlineData("x.y", "x_y", false)]
    [InlineData("", "", true)]
    public void Matches_RFC_9051_wildcards(string name, string pattern, bool expected)
        => ImapListMatcher.Matches(name, pattern, '/').Should().Be(expected);

    [Fact]
    public void Agrees_with_a_reference_glob_on_random_names()
    {
        // SECURITY T13: results equal a reference matcher.
        var chars = Gen.Char["ab/*%"];
        Gen.Select(Gen.String[Gen.Char["ab/"], 0, 8], Gen.String[chars, 0, 6]).Sample((name, pattern) =>
        {
            var regex = "^" + string.Concat(pattern.Select(c => c switch
            {
                '*' => ".*",
                '%' => "[^/]*",
                _ => Regex.Escape(c.ToString()),
            })) + "$";
            ImapListMatcher.Matches(name, pattern, '/').Should().Be(Regex.IsMatch(name, regex), $"{name} ~ {pattern}");
        }, iter: 20_000);
    }

    [Fact]
    public void Many_wildcards_against_a_long_name_cost_name_times_pattern_steps_and_one_row()
    {
        // SECURITY C6 / T13: the work is counted, not timed (a busy machine makes any time bound flaky). A backtracking
        // matcher tries every way to place 200 stars in 1000 characters; the table computes each cell once.
        var name = new string('a', 1000);
        var pattern = string.Concat(Enumerable.Repeat("*a", 200)) + "b";
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var matched = ImapListMatcher.Matches(name, pattern, '/', out var cells);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        matched.Should().BeFalse();
        cells.Should().Be((long)name.Length * pattern.Length, "one row of the table per pattern character");
        allocated.Should().BeLessThan(name.Length + 1 + 256, "one row of booleans for a name too long for the stack, nothing per step");
    }

    [Theory]
    [InlineData("INBOX", "*")]
    [InlineData("Work/Projects/A", "W%/*%r*")]
    [InlineData("", "%*%")]
    public void The_steps_are_name_times_pattern_length_for_any_input(string name, string pattern)
    {
        ImapListMatcher.Matches(name, pattern, '/', out var cells);
        cells.Should().Be((long)name.Length * pattern.Length);
    }
}
