using System.Text;
using MailHost.Storage;
using MailHost.Storage.Mime;

namespace MailHost.Tests.Storage;

/// <summary>The searchable text of a quoted-printable part is decoded by RFC 2045 §6.7, as BINARY[] is.</summary>
public class MimeIndexerQuotedPrintableTests
{
    [Fact]
    public async Task Padded_soft_breaks_and_trailing_whitespace_do_not_reach_the_body_text()
    {
        var bytes = Encoding.ASCII.GetBytes(
            "Subject: qp\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
            "needle= \r\nhaystack  \r\ncaf=c3=a9 end=4");
        var indexed = await MimeIndexer.IndexAsync(new MemoryStream(bytes), bytes.Length, MailStoreLimits.Default, default).WaitAsync(TimeSpan.FromSeconds(30));
        indexed.BodyText.Should().Be("needlehaystack\r\ncafé end=4");
        indexed.Index.Preview.Should().Be("needlehaystack café end=4");
    }
}
