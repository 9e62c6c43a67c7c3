using MailHost.Imap;

namespace MailHost.Tests.Imap;

/// <summary>RFC 5256 §2.1 step 1's decoding, done before the pure algorithm (tested in MailHost.Protocols.Tests).</summary>
public sealed class ImapSortSubjectTests
{
    [Theory]
    [InlineData("=?utf-8?q?caf=C3=A9?=", "café", false)]
    [InlineData("=?utf-8?q?Re=3A_Lunch?=", "Lunch", true)]
    [InlineData("=?utf-8?q?Re=3A?= =?utf-8?q?_Lunch?=", "Lunch", true)]
    [InlineData("[team] =?utf-8?q?Fwd=3A?= Lunch", "Lunch", true)]
    [InlineData("", "", false)]
    [InlineData(null, "", false)]
    public void Encoded_words_are_decoded_before_the_base_subject_is_extracted(string? subject, string expected, bool replyOrForward)
    {
        ImapSortSubject.BaseSubject(subject, out var isReplyOrForward).Should().Be(expected);
        isReplyOrForward.Should().Be(replyOrForward);
    }
}
