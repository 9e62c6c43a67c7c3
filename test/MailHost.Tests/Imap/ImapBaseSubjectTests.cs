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

    [Theory]
    [InlineData("Lunch", false)]
    [InlineData("Re: Lunch", true)]
    [InlineData("Fwd: Lunch", true)]
    [InlineData("FW: Lunch", true)]
    [InlineData("Re[2]: Lunch", true)]
    [InlineData("Lunch (fwd)", true)]
    [InlineData("[Fwd: Lunch]", true)]
    [InlineData("[team] Re: Lunch", true)]
    [InlineData("[team] Lunch", false)]
    [InlineData("Reply", false)]
    [InlineData("Re Lunch", false)]
    [InlineData(null, false)]
    public void Knows_whether_a_reply_or_forward_marker_was_removed(string? subject, bool expected)
    {
        // RFC 5256 §2.2: subj-refwd, a "(fwd)" trailer or subj-fwd-hdr/trl make a reply or forward; a blob does not.
        ImapBaseSubject.Extract(subject, out var isReplyOrForward);
        isReplyOrForward.Should().Be(expected);
    }
}
