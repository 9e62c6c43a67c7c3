using System.Text;
using MailHost.Protocols.Imap;
using MimeKit.Utils;

namespace MailHost.Imap;

/// <summary>The subject SORT and THREAD compare (RFC 5256 §2.1), from the Subject field as stored.</summary>
internal static class ImapSortSubject
{
    /// <summary>
    /// The base subject of <paramref name="subject"/> (unfolded, encoded-words kept, as the index stores it): step 1
    /// decodes the RFC 2047 encoded-words here, where MimeKit is at hand; <see cref="ImapBaseSubject"/> does the rest.
    /// </summary>
    /// <param name="subject">The Subject field value.</param>
    /// <param name="isReplyOrForward">RFC 5256 §2.2: whether a reply or forward marker was removed.</param>
    public static string BaseSubject(string? subject, out bool isReplyOrForward)
    {
        var decoded = string.IsNullOrEmpty(subject) ? subject : Rfc2047.DecodeText(Encoding.UTF8.GetBytes(subject));
        return ImapBaseSubject.Extract(decoded, out isReplyOrForward);
    }
}
