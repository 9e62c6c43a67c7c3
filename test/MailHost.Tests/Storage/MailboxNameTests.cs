using MailHost.Storage;

namespace MailHost.Tests.Storage;

public class MailboxNameTests
{
    [Theory]
    [InlineData("INBOX", "INBOX")]
    [InlineData("inbox", "INBOX")]
    [InlineData("InBox/Work", "INBOX/Work")]
    [InlineData("Inboxes", "Inboxes")]
    [InlineData("Work/Reports 2024", "Work/Reports 2024")]
    [InlineData("台北/日本語", "台北/日本語")]
    [InlineData("e\u0301", "\u00e9")]
    [InlineData("..a/b..", "..a/b..")]
    [InlineData("~peter/mail", "~peter/mail")]
    public void Valid_names_are_normalised(string input, string expected) =>
        MailboxName.Normalize(input).Value.Should().Be(expected);

    [Fact]
    public void Unpaired_surrogates_are_refused()
    {
        foreach (var input in new[] { new string(['l', '\ud800']), new string(['\udc00', 'x']), new string(['a', '\ud800', '/', 'b']) })
        {
            MailboxName.Normalize(input).Error!.Code.Should().Be(StoreErrorCode.InvalidName);
        }
    }

    [Fact]
    public void Depth_and_length_limits_come_from_the_limits()
    {
        var limits = new MailStoreLimits { MaxMailboxDepth = 3, MaxMailboxLevelLength = 5 };
        MailboxName.Normalize("a/b/c", limits).IsSuccess.Should().BeTrue();
        MailboxName.Normalize("a/b/c/d", limits).Error!.Code.Should().Be(StoreErrorCode.InvalidName);
        MailboxName.Normalize("abcdef", limits).Error!.Code.Should().Be(StoreErrorCode.InvalidName);
    }

    [Fact]
    public void Hierarchy_helpers_compare_whole_levels()
    {
        MailboxName.IsDescendantOf("admin/x", "adm").Should().BeFalse();
        MailboxName.IsDescendantOf("adm/x", "adm").Should().BeTrue();
        MailboxName.IsDescendantOf("adm", "adm").Should().BeFalse();
        MailboxName.Ancestors("a/b/c").Should().Equal("a", "a/b");
    }
}
