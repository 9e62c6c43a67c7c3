using MailHost.Imap;

namespace MailHost.Tests.Imap;

public sealed class ImapBaseSubjectTests
{
    [Theory]
    [InlineData("Lunch", "LUNCH")]
    [InlineData("Re: Lunch", "LUNCH")]
    [InlineData("RE: re:  Fwd: lunch", "LUNCH")]
    [InlineData("Re: [team] Lunch", "LUNCH")]
    [InlineData("[team] Re: Lunch", "LUNCH")]
    [InlineData("Lunch (fwd)", "LUNCH")]
    [InlineData("[Fwd: Lunch]", "LUNCH")]
    [InlineData("Re[2]: Lunch", "LUNCH")]
    [InlineData("[only a blob]", "[ONLY A BLOB]")]
    [InlineData("  spaced \t  out  ", "SPACED OUT")]
    [InlineData("=?utf-8?q?caf=C3=A9?=", "CAFÉ")]
    [InlineData("Reply", "REPLY")]
    [InlineData(null, "")]
    public void Extracts_the_RFC_5256_base_subject(string? subject, string expected)
        => ImapBaseSubject.Extract(subject).Should().Be(expected);
}
