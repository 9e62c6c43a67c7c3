using System.Text;
using MailHost.Protocols.MailAuthentication;
using MimeKit;

namespace MailHost.MailAuthentication;

/// <summary>
/// RFC 8601 §5: an Authentication-Results field that arrives with a message and names this server's authserv-id
/// was not written by this server, yet readers that trust the server would trust it. Such fields are found in the
/// message header and renamed <c>X-Original-Authentication-Results</c> on every way in (MX, with or without mail
/// authentication, and submission), so that the only field naming this server is the one it adds itself.
/// </summary>
internal static class ForgedAuthenticationResults
{
    private static readonly byte[] PrefixBytes = Encoding.ASCII.GetBytes(MailAuthenticator.ForgedFieldPrefix);

    /// <summary>
    /// The offsets (as the parser recorded them, relative to where it started) of the Authentication-Results fields
    /// of <paramref name="header"/> whose authserv-id is <paramref name="hostname"/>, compared without case.
    /// </summary>
    public static List<long> Find(IEnumerable<Header> header, string hostname)
    {
        var offsets = new List<long>();
        foreach (var field in header)
        {
            if (field.Id == HeaderId.AuthenticationResults
                && field.Offset is { } offset
                && AuthenticationResultsField.TryReadAuthServId(field.RawValue, out var id)
                && id!.Equals(hostname, StringComparison.OrdinalIgnoreCase))
            {
                offsets.Add(offset);
            }
        }

        return offsets;
    }

    /// <summary>
    /// Appends to <paramref name="segments"/> the source range from <paramref name="start"/> to <paramref name="end"/>
    /// with the <c>X-Original-</c> prefix inserted before each field at <paramref name="contentOffset"/> plus an
    /// offset of <paramref name="offsets"/>.
    /// </summary>
    public static void AppendRenamed(List<MessageSegment> segments, long start, long end, long contentOffset, IEnumerable<long> offsets)
    {
        var at = start;
        foreach (var offset in offsets.Order())
        {
            var absolute = contentOffset + offset;
            segments.Add(MessageSegment.Range(at, absolute - at));
            segments.Add(MessageSegment.Literal(PrefixBytes));
            at = absolute;
        }

        segments.Add(MessageSegment.Range(at, end - at));
    }
}
