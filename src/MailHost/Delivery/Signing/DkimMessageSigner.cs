using MailHost.Accounts;
using MailHost.Delivery.Queue;
using Microsoft.Extensions.Logging;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace MailHost.Delivery.Signing;

/// <summary>
/// DKIM-signs outbound messages (RFC 6376) as the domain of their author (the RFC 5322 From address), so that the
/// signature aligns with the From domain for DMARC (RFC 7489 §3.1.1), but only for a domain the message's writer
/// may use: for a submitted message, a domain of one of the submitting account's addresses or aliases; for a
/// message the server wrote itself, its From domain. Keys come from the <see cref="IDkimKeyStore"/>; a domain
/// without a key, with a key that cannot sign, or that the submitter may not use sends unsigned rather than not at all.
/// </summary>
/// <remarks>
/// Signing with the submitter's own domain instead, for a From domain it may not use, would be no help: that
/// signature does not align with the From domain, so the receiver's DMARC result for that domain is the same as
/// for an unsigned message, and this server would vouch for a message that names someone else as its author.
/// </remarks>
internal sealed partial class DkimMessageSigner(IDkimKeyStore store, IAccountDirectory directory, TimeProvider time, ILogger logger)
{
    // RFC 6376 §5.4.1: the fields that carry the message's meaning. Each is signed as often as it occurs.
    private static readonly string[] MessageFields = ["From", "Reply-To", "Subject", "Date", "Message-ID", "To", "Cc", "In-Reply-To", "References", "MIME-Version"];

    // MimeKit keeps the top-level Content-* fields with the body entity.
    private static readonly string[] BodyFields = ["Content-Type", "Content-Transfer-Encoding"];

    /// <summary>
    /// The signing key for <paramref name="mime"/>'s author domain, or <see langword="null"/> when the message has
    /// no author, the writer of <paramref name="message"/> may not use the domain (logged as a warning), the domain
    /// has no key (logged at debug) or the key cannot sign (logged as a warning). Throws when the key store or the
    /// account directory fails.
    /// </summary>
    public async ValueTask<DkimSigningKey?> FindKeyAsync(QueuedMessage message, MimeMessage mime, CancellationToken cancellationToken)
    {
        var messageId = message.Id;

        // RFC 7489 §3.1.1: alignment is with the RFC5322.From domain; a message with several authors is aligned
        // with the first.
        var author = mime.From.Mailboxes.FirstOrDefault();
        var domain = author is null ? null : MailAddressCanonicalizer.CanonicalizeDomain(author.Domain);
        if (domain is null)
        {
            LogNoAuthorDomain(logger, messageId);
            return null;
        }

        if (message.Origin != OutboundOrigin.Server && !await SubmitterMayUseAsync(message.Account, domain, cancellationToken).ConfigureAwait(false))
        {
            LogNotSubmitterDomain(logger, messageId, domain, message.Account);
            return null;
        }

        var stored = await store.GetAsync(domain, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            LogNoKey(logger, messageId, domain);
            return null;
        }

        var key = DkimKeys.TryLoad(stored, out var problem);
        if (key is null)
        {
            LogUnusableKey(logger, messageId, stored.Domain, stored.Selector, problem!);
        }

        return key;
    }

    /// <summary>
    /// Whether <paramref name="domain"/> is the domain of one of the account's addresses or aliases, looked up now:
    /// an account removed or disabled since the submission, or an alias taken away, no longer signs.
    /// </summary>
    private async ValueTask<bool> SubmitterMayUseAsync(string accountName, string domain, CancellationToken cancellationToken)
    {
        var name = MailAddressCanonicalizer.CanonicalizeAccountName(accountName);
        var account = name is null ? null : await directory.FindByNameAsync(name, cancellationToken).ConfigureAwait(false);
        if (account is null || account.Disabled)
        {
            return false;
        }

        foreach (var address in account.Addresses.Concat(account.Aliases))
        {
            var at = address.LastIndexOf('@');
            if (at >= 0 && string.Equals(MailAddressCanonicalizer.CanonicalizeDomain(address[(at + 1)..]), domain, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Signs <paramref name="message"/> as it will be written with <paramref name="format"/>, inserting a
    /// DKIM-Signature field at the top, and returns that field (to be removed again after the transaction).
    /// Returns <see langword="null"/>, with the message unchanged and a warning logged, when signing fails.
    /// </summary>
    /// <remarks>
    /// The message must already be prepared for the transport (<see cref="MimeMessage.Prepare(EncodingConstraint, int)"/>):
    /// any change of encoding after signing would break the body hash.
    /// </remarks>
    public Header? Sign(DkimSigningKey key, MimeMessage message, FormatOptions format, string messageId)
    {
        var signer = new TimedDkimSigner(key, time)
        {
            // RFC 6376 §3.4: relaxed/relaxed survives the re-folding and whitespace changes of relays.
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
        var first = message.Headers.Count > 0 ? message.Headers[0] : null;
        try
        {
            // No l= tag: MimeKit hashes the whole body, so nothing can be appended under the signature (RFC 6376 §8.2).
            signer.Sign(format, message, FieldsToSign(message));
            var signature = message.Headers[0];
            LogSigned(logger, messageId, key.Domain, key.Selector);
            return signature;
        }
        catch (Exception ex) when (ex is CryptoException or ArgumentException or FormatException or NotSupportedException or InvalidOperationException or InvalidCastException)
        {
            if (message.Headers.Count > 0 && !ReferenceEquals(message.Headers[0], first) && message.Headers[0].Id == HeaderId.DkimSignature)
            {
                message.Headers.RemoveAt(0);
            }

            LogSigningFailed(logger, messageId, key.Domain, key.Selector, ex.GetType().Name + ": " + ex.Message);
            return null;
        }
    }

    /// <summary>
    /// The <c>h=</c> list: each present field of <see cref="MessageFields"/>, the List-* fields (RFC 2369, RFC 2919)
    /// and the body's Content-Type and Content-Transfer-Encoding, once per occurrence; then From once more.
    /// </summary>
    internal static List<string> FieldsToSign(MimeMessage message)
    {
        var fields = new List<string>();
        foreach (var name in MessageFields)
        {
            AddEach(fields, message.Headers, name);
        }

        var lists = message.Headers.Where(h => h.Field.StartsWith("List-", StringComparison.OrdinalIgnoreCase))
            .Select(h => h.Field)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        foreach (var name in lists)
        {
            AddEach(fields, message.Headers, name);
        }

        if (message.Body is { } body)
        {
            foreach (var name in BodyFields)
            {
                AddEach(fields, body.Headers, name);
            }
        }

        // RFC 6376 §8.15: naming From once more than it occurs makes a second, added From break the signature.
        fields.Add("From");
        return fields;
    }

    private static void AddEach(List<string> fields, HeaderList headers, string name)
    {
        foreach (var header in headers)
        {
            if (header.Field.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                fields.Add(name);
            }
        }
    }

    /// <summary>MimeKit's signer with the <c>t=</c> tag (RFC 6376 §3.5) taken from the host's clock.</summary>
    private sealed class TimedDkimSigner(DkimSigningKey key, TimeProvider time)
        : DkimSigner(key.PrivateKey, key.Domain, key.Selector, key.Algorithm)
    {
        protected override long GetTimestamp() => time.GetUtcNow().ToUnixTimeSeconds();
    }

    [LoggerMessage(3201, LogLevel.Debug, "Outbound {MessageId}: not DKIM-signed, the From field has no usable author domain")]
    private static partial void LogNoAuthorDomain(ILogger logger, string messageId);

    [LoggerMessage(3202, LogLevel.Debug, "Outbound {MessageId}: not DKIM-signed, no key for {Domain}")]
    private static partial void LogNoKey(ILogger logger, string messageId, string domain);

    [LoggerMessage(3203, LogLevel.Warning, "Outbound {MessageId}: sent without DKIM signature, the key of {Domain} (selector {Selector}) cannot sign: {Problem}")]
    private static partial void LogUnusableKey(ILogger logger, string messageId, string domain, string selector, string problem);

    [LoggerMessage(3204, LogLevel.Warning, "Outbound {MessageId}: sent without DKIM signature, signing as {Domain} (selector {Selector}) failed: {Problem}")]
    private static partial void LogSigningFailed(ILogger logger, string messageId, string domain, string selector, string problem);

    [LoggerMessage(3205, LogLevel.Debug, "Outbound {MessageId}: DKIM-signed as d={Domain} s={Selector}")]
    private static partial void LogSigned(ILogger logger, string messageId, string domain, string selector);

    [LoggerMessage(3206, LogLevel.Warning, "Outbound {MessageId}: sent without DKIM signature, its From domain {Domain} is not a domain of the addresses of the submitting account {Account}")]
    private static partial void LogNotSubmitterDomain(ILogger logger, string messageId, string domain, string account);
}
