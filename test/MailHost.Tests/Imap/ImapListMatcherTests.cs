using System.Diagnostics;
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
    public void Many_wildcards_against_a_long_name_stay_fast()
    {
        var name = new string('a', 1000);
        var watch = Stopwatch.StartNew();
        ImapListMatcher.Matches(name, string.Concat(Enumerable.Repeat("*a", 200)) + "b", '/').Should().BeFalse();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "a backtracking matcher would take longer than the universe; a busy machine takes milliseconds");
    }
}
