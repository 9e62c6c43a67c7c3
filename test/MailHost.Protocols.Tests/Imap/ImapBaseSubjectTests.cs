using MailHost.Protocols.Imap;

namespace MailHost.Protocols.Tests.Imap;

public sealed class ImapBaseSubjectTests
{
    [Theory]
    // Step 1 (encoded-words decoded by the caller, see ImapSortSubjectTests): tabs and continuations become spaces,
    // runs of spaces one.
    [InlineData("  spaced \t  out  ", "spaced out")]
    [InlineData("folded\r\n\tsubject", "folded subject")]
    [InlineData("no-break\u00A0space\u2003here", "no-break\u00A0space\u2003here")]
    // Step 2: "(fwd)" and white space trailers, repeatedly.
    [InlineData("Lunch (fwd)", "Lunch")]
    [InlineData("Lunch (FWD)  (fwd) ", "Lunch")]
    [InlineData("Lunch(fwd)", "Lunch")]
    [InlineData("(fwd) Lunch", "(fwd) Lunch")]
    [InlineData("Lunch (fwd) later", "Lunch (fwd) later")]
    // Step 3: subj-leader = (*subj-blob subj-refwd) / WSP, all of them.
    [InlineData("Re: Lunch", "Lunch")]
    [InlineData("RE: re:  Fwd: FW:fwd:Lunch", "Lunch")]
    [InlineData("Re : Lunch", "Lunch")]
    [InlineData("Re[2]: Lunch", "Lunch")]
    [InlineData("Re [2] : Lunch", "Lunch")]
    [InlineData("[team] [ops] Re: Lunch", "Lunch")]
    [InlineData("Re: ", "")]
    [InlineData("Re Lunch", "Re Lunch")]
    [InlineData("Reply: Lunch", "Reply: Lunch")]
    [InlineData("Re [a[b]: Lunch", "Re [a[b]: Lunch")]
    [InlineData("Fwd[x] Lunch", "Fwd[x] Lunch")]
    // Step 4: a leading subj-blob, unless nothing but it would be left.
    [InlineData("[team] Lunch", "Lunch")]
    [InlineData("[] Lunch", "Lunch")]
    [InlineData("[only a blob]", "[only a blob]")]
    [InlineData("[a] [b]", "[b]")]
    [InlineData("[a][b] Lunch", "Lunch")]
    [InlineData("[a[b] Lunch", "[a[b] Lunch")]
    [InlineData("[a] (fwd)", "[a]")]
    // Step 5: steps 3 and 4 again until neither applies.
    [InlineData("[team] Re: [ops] Fwd: [x] Lunch", "Lunch")]
    [InlineData("Re: [team] Re: Lunch", "Lunch")]
    // Step 6: a "[fwd:" ... "]" wrapper, then again from step 2.
    [InlineData("[Fwd: Lunch]", "Lunch")]
    [InlineData("Re: [FWD: Lunch]", "Lunch")]
    [InlineData("[fwd: Re: [team] Lunch (fwd)]", "Lunch")]
    [InlineData("[fwd: [fwd: Lunch]]", "Lunch")]
    [InlineData("[fwd:]", "")]
    [InlineData("[fwd: Lunch] later", "later")]
    [InlineData("[fwd: Lunch", "[fwd: Lunch")]
    // No subject.
    [InlineData("Reply", "Reply")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Extracts_the_RFC_5256_base_subject(string? subject, string expected)
        => ImapBaseSubject.Extract(subject).Should().Be(expected);

    [Theory]
    [InlineData("Lunch", false)]
    [InlineData("Re: Lunch", true)]
    [InlineData("Fwd: Lunch", true)]
    [InlineData("FW: Lunch", true)]
    [InlineData("Re[2]: Lunch", true)]
    [InlineData("Re [2] : Lunch", true)]
    [InlineData("Lunch (fwd)", true)]
    [InlineData("[Fwd: Lunch]", true)]
    [InlineData("[team] Re: Lunch", true)]
    [InlineData("[team] Lunch", false)]
    [InlineData("[a[b] Lunch", false)]
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
