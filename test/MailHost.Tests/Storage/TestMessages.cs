using System.Text;

namespace MailHost.Tests.Storage;

internal static class TestMessages
{
    public static byte[] Simple(string subject = "Hello", string body = "Hello world.\r\n", string from = "Alice <alice@example.com>", string to = "bob@example.org", string? messageId = null, string? inReplyTo = null, string? date = "Mon, 7 Feb 1994 21:52:25 -0800")
    {
        var sb = new StringBuilder();
        if (date is not null)
        {
            sb.Append("Date: ").Append(date).Append("\r\n");
        }

        sb.Append("From: ").Append(from).Append("\r\n");
        sb.Append("To: ").Append(to).Append("\r\n");
        sb.Append("Subject: ").Append(subject).Append("\r\n");
        if (messageId is not null)
        {
            sb.Append("Message-ID: <").Append(messageId).Append(">\r\n");
        }

        if (inReplyTo is not null)
        {
            sb.Append("In-Reply-To: <").Append(inReplyTo).Append(">\r\n");
        }

        sb.Append("\r\n").Append(body);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    public static byte[] Multipart() => Encoding.ASCII.GetBytes(
        "From: a@example.com\r\nSubject: parts\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n" +
        "preamble\r\n--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nfirst part\r\n" +
        "--XX\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
        Convert.ToBase64String(Encoding.ASCII.GetBytes("<p>secret <b>needle</b> html</p>")) + "\r\n" +
        "--XX\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\nFrom: inner@example.net\r\n\r\ninner body\r\n--XX--\r\nepilogue\r\n");

    public static MemoryStream Stream(byte[] bytes) => new(bytes, writable: false);
}
