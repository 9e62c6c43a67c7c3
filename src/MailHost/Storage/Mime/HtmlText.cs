using System.Text;
using MimeKit.Text;

namespace MailHost.Storage.Mime;

/// <summary>Extracts the visible text of an HTML body for search and previews (scripts and styles skipped).</summary>
internal static class HtmlText
{
    public static string Extract(string html)
    {
        var sb = new StringBuilder(html.Length / 2);
        var skip = 0;
        using var reader = new StringReader(html);
        var tokenizer = new HtmlTokenizer(reader);
        while (tokenizer.ReadNextToken(out var token))
        {
            switch (token)
            {
                case HtmlTagToken tag when tag.Id is HtmlTagId.Script or HtmlTagId.Style:
                    skip = tag.IsEndTag ? Math.Max(0, skip - 1) : (tag.IsEmptyElement ? skip : skip + 1);
                    break;
                case HtmlTagToken tag when tag.Id is HtmlTagId.P or HtmlTagId.Br or HtmlTagId.Div:
                    sb.Append(' ');
                    break;
                case HtmlDataToken data when skip == 0 && token is not HtmlScriptDataToken:
                    sb.Append(data.Data);
                    break;
                default:
                    break;
            }
        }

        return sb.ToString();
    }
}
