using MailHost.Protocols.Smtp;
using MimeKit;

namespace MailHost.Smtp;

/// <summary>
/// Submission's check of who a message says wrote it (RFC 5322 §3.6.2): every mailbox of the From field, and of the
/// Sender field when there is one, must belong to the authenticated account, as MAIL FROM must. Receivers apply
/// DMARC (RFC 7489 §3.1.1) and readers show the author by the From field, not the envelope, so without this an
/// account could send mail under any other address of this server, or of any domain the server signs for.
/// </summary>
/// <remarks>
/// Only the addresses are checked, never the display names (a name is free text, encoded or not). The fields are
/// parsed strictly, so that a value this check reads one way cannot be read another way by a receiver (for example
/// <c>alice@a.example &lt;ceo@b.example&gt;</c>); a field that does not parse is refused.
/// </remarks>
internal static class SmtpAuthorCheck
{
    /// <summary>Addresses in From and Sender together that are checked at most; more are refused.</summary>
    internal const int MaxAddresses = 100;

    private static readonly ParserOptions Strict = CreateStrictOptions();

    /// <summary>
    /// Null when the header's From and Sender fields name only <paramref name="account"/>'s addresses (or there is no
    /// From field at all: the message claims no author); otherwise the refusal.
    /// </summary>
    public static async ValueTask<SmtpAuthorRefusal?> CheckAsync(HeaderList header, string account, SmtpAddressPolicy addresses, CancellationToken cancellationToken)
    {
        var authors = new List<MailboxAddress>();
        var senders = new List<MailboxAddress>();
        var fromFields = 0;
        var senderFields = 0;
        foreach (var field in header)
        {
            // RFC 5322 §3.6 allows one of each; should a message carry more, every one is checked, since receivers
            // differ in which one they read.
            List<MailboxAddress> list;
            if (field.Id == HeaderId.From)
            {
                list = authors;
                fromFields++;
            }
            else if (field.Id == HeaderId.Sender)
            {
                list = senders;
                senderFields++;
            }
            else
            {
                continue;
            }

            // RFC 6854 allows group syntax in both fields: the members of a group are checked like any mailbox.
            if (!InternetAddressList.TryParse(Strict, field.RawValue, out var parsed))
            {
                return Refuse(field.Id == HeaderId.From ? "From" : "Sender", "is not a valid address list", "unparsable");
            }

            list.AddRange(parsed.Mailboxes);
        }

        // RFC 5322 §3.6.2: with several authors (or, by RFC 6854, a group naming none) the Sender field names the
        // one who sent it.
        if (fromFields > 0 && authors.Count != 1 && senderFields == 0)
        {
            return authors.Count == 0
                ? Refuse("From", "names no author and there is no Sender field", "no author")
                : Refuse("From", "names several authors and there is no Sender field", "several authors");
        }

        // Each address costs a directory lookup (two for a subaddress): a bound keeps one message from costing many.
        if (authors.Count + senders.Count > MaxAddresses)
        {
            return new SmtpAuthorRefusal(new SmtpReply(550, "5.7.1", "The From and Sender fields name too many addresses"), "From", "too many addresses");
        }

        foreach (var (mailboxes, name) in new[] { (authors, "From"), (senders, "Sender") })
        {
            foreach (var mailbox in mailboxes)
            {
                // An obsolete source route (RFC 5322 §4.4) is a second address in the same field; no client writes one.
                var owner = mailbox.Route.Count > 0 ? null : await addresses.FindOwnerAsync(mailbox.LocalPart, mailbox.Domain, cancellationToken).ConfigureAwait(false);
                if (owner is null || owner.Disabled || owner.Name != account)
                {
                    return Refuse(name, "names an address not owned by the authenticated user", mailbox.Address);
                }
            }
        }

        return null;
    }

    private static SmtpAuthorRefusal Refuse(string field, string problem, string detail)
        => new(new SmtpReply(550, "5.7.1", "The " + field + " field " + problem), field, detail);

    private static ParserOptions CreateStrictOptions()
    {
        var options = ParserOptions.Default.Clone();
        options.AddressParserComplianceMode = RfcComplianceMode.Strict;
        options.AllowAddressesWithoutDomain = false;
        options.AllowUnquotedCommasInAddresses = false;
        return options;
    }
}
