using System.Text;
using MailHost.Storage.Mime;
using MimeKit.Utils;

namespace MailHost.Storage.Search;

/// <summary>
/// The From, To, Cc and Bcc addresses of a <see cref="MessageEnvelope"/> as <see cref="AddressCriterion"/> matches
/// them: one <c>Field: Name &lt;mailbox@host&gt;</c> line per address (<c>Field: mailbox@host</c> without a display
/// name), with the comments, folding and quoting of the header gone and RFC 2047 names decoded; a group contributes
/// a <c>Field: group name:</c> line before its members. Stores keep this text from delivery on, beside the header text,
/// so a search never parses a message again.
/// </summary>
public static class AddressSearchText
{
    /// <summary>The address lines of <paramref name="envelope"/>, whole lines only, at most <paramref name="maxLength"/> characters.</summary>
    public static string Format(MessageEnvelope envelope, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var text = new StringBuilder();
        if (Append(text, "From", envelope.From, maxLength) && Append(text, "To", envelope.To, maxLength) && Append(text, "Cc", envelope.Cc, maxLength))
        {
            Append(text, "Bcc", envelope.Bcc, maxLength);
        }

        return text.ToString();
    }

    /// <summary>Appends one field's lines; false when the text is full.</summary>
    private static bool Append(StringBuilder text, string field, IReadOnlyList<EnvelopeAddress> addresses, int maxLength)
    {
        foreach (var address in addresses)
        {
            var value = address switch
            {
                // RFC 9051 §7.5.2: a group ends with an all-NIL marker and starts with one that holds its name.
                { Mailbox: null } => null,
                { Host: null, Mailbox: { } group } => Decode(group) + ":",
                { Name: { } name } => string.Concat(Decode(name), " <", AddrSpec(address), ">"),
                _ => AddrSpec(address),
            };
            if (value is null)
            {
                continue;
            }

            var line = string.Concat(field, ": ", value.ReplaceLineEndings(" "), "\n");
            if (text.Length + line.Length > maxLength)
            {
                return false;
            }

            text.Append(line);
        }

        return true;
    }

    private static string AddrSpec(EnvelopeAddress address)
        => string.IsNullOrEmpty(address.Host) ? address.Mailbox! : address.Mailbox + "@" + address.Host;

    /// <summary>Envelope names and group names are RFC 2047-encoded when they are not ASCII.</summary>
    private static string Decode(string phrase)
        => phrase.Contains("=?", StringComparison.Ordinal) ? Rfc2047.DecodePhrase(Encoding.UTF8.GetBytes(phrase)) : phrase;
}
