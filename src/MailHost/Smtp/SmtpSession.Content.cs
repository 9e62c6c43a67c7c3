using MailHost.Connections;
using MailHost.Protocols.Smtp;
using MimeKit;
using MimeKit.IO;

namespace MailHost.Smtp;

/// <summary>
/// What the server reads in the header of a finished message before it delivers it: the author fields on
/// submission (RFC 5322 §3.6.2) and Authentication-Results fields that claim this server's identity (RFC 8601 §5).
/// </summary>
internal sealed partial class SmtpSession
{
    private static readonly SmtpReply UnparsableHeader = new(550, "5.7.1", "The message header cannot be parsed, so its author cannot be checked");

    /// <summary>
    /// The header fields of the client's content (offsets relative to its start), or <see langword="null"/> when
    /// MimeKit cannot read a header there. Only the header block is parsed; the body is not read.
    /// </summary>
    private static async ValueTask<HeaderList?> ReadClientHeaderAsync(SmtpTransaction transaction)
    {
        var spool = await transaction.Spool!.OpenReadAsync(transaction.ContentOffset, CancellationToken.None).ConfigureAwait(false);
        using var content = new BoundStream(spool, transaction.ContentOffset, spool.Length, leaveOpen: true);
        try
        {
            return await HeaderList.LoadAsync(ParserOptions.Default, content, CancellationToken.None).ConfigureAwait(false);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// On submission with <see cref="SmtpOptions.RequireOwnAddressInHeaderFrom"/>, the refusal of a message whose
    /// From or Sender field names an address the authenticated account does not own; otherwise null.
    /// </summary>
    private async ValueTask<SmtpReply?> CheckAuthorAsync(SmtpTransaction transaction, HeaderList? header)
    {
        if (!_isSubmission || _account is null || !_services.Options.RequireOwnAddressInHeaderFrom)
        {
            return null;
        }

        var refusal = header is null
            ? new SmtpAuthorRefusal(UnparsableHeader, "From", "no parsable header")
            : await SmtpAuthorCheck.CheckAsync(header, _account, _services.Addresses, CancellationToken.None).ConfigureAwait(false);
        if (refusal is null)
        {
            return null;
        }

        SmtpLog.AuthorRefused(_logger, transaction.Id, _account, refusal.Field, refusal.Detail);
        MailHostMetrics.SubmissionAuthorRefused.Add(1, new KeyValuePair<string, object?>("field", refusal.Field));
        return refusal.Reply;
    }
}
